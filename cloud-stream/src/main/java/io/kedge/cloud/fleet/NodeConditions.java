package io.kedge.cloud.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.cloud.kube.KubeWrites;
import io.kedge.kube.objects.KubeTime;
import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.WriteRequest;
import io.kedge.schemas.authorization.NodeSignatures;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each Node's {@code Ready} condition from its heartbeats in standalone mode, as Kubernetes'
 * node lifecycle controller does from kubelets' leases: {@code True} while the node is online,
 * {@code Unknown} (reason {@code NodeStatusUnknown}) once it has been silent for {@code
 * fleet.offline-after}; {@code lastHeartbeatTime} is refreshed every {@link #REFRESH} while it is
 * online. Each change is a strategic-merge patch of the Node's status (conditions merge by type, so
 * other conditions stay) sent up {@code kedge.upstream} as the node's own write, signed with its
 * key when nodes sign, and applied by the router's applier like the node's other writes.
 */
public final class NodeConditions implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeConditions.class);

  /** How often an online node's {@code lastHeartbeatTime} is written again. */
  public static final Duration REFRESH = Duration.ofMinutes(5);

  static final String FIELD_MANAGER = "kedge-fleet";
  private static final URI SOURCE = URI.create("/kedge/cloud/fleet");

  /** Where a condition's patch goes; true when it was applied (false: tried again later). */
  public interface Sink {
    boolean write(WriteRequest patch);
  }

  /** Which condition, and its status and reason each way. */
  record Kind(String type, String offlineStatus, String offlineReason, String readyReason) {}

  static final Kind READY = new Kind("Ready", "Unknown", "NodeStatusUnknown", "KedgeNodeReady");
  static final Kind LINK_READY =
      new Kind("KedgeLinkReady", "False", "KedgeNoHeartbeat", "KedgeHeartbeats");

  private final FleetState fleet;
  private final Sink sink;
  private final Kind kind;
  private final Clock clock;
  private final ScheduledExecutorService timer = DaemonThreads.scheduled("kedge-node-conditions");

  /** Per node: the Ready status last written and when. */
  private record Written(String status, long atMs) {}

  private final Map<String, Written> written = new ConcurrentHashMap<>();
  private final Map<String, Boolean> newNodes = new ConcurrentHashMap<>();

  NodeConditions(FleetState fleet, Sink sink, Kind kind, Clock clock) {
    this.fleet = fleet;
    this.sink = sink;
    this.kind = kind;
    this.clock = clock;
    fleet.onNewNode(
        node -> {
          if (fleet.caughtUp()) {
            newNodes.put(node, true); // registered since: its Node has no condition from us yet
          }
        });
  }

  /**
   * Standalone mode: {@code Ready} written as each node's own status patch into {@code
   * upstreamTopic}, signed with each node's current key ({@code generations}) from {@code
   * nodeKeySecret} (null: nodes do not sign).
   */
  public static NodeConditions standalone(
      FleetState fleet,
      Producer<String, byte[]> producer,
      String upstreamTopic,
      byte[] nodeKeySecret,
      NodeSignatures.Generations generations,
      Clock clock) {
    EventCodec codec = new EventCodec();
    Sink upstream =
        patch -> {
          ProducerRecord<String, byte[]> record =
              codec.toRecord(
                  upstreamTopic,
                  patch.key().toString(),
                  KedgeEvent.of(SOURCE, patch.key().toString(), patch));
          if (nodeKeySecret != null) {
            long generation = generations.current(patch.node());
            NodeSignatures.sign(
                patch.node(),
                NodeSignatures.nodeKey(nodeKeySecret, patch.node(), generation),
                generation,
                record.key(),
                record.value(),
                record.headers());
          }
          producer.send(record);
          return true;
        };
    return new NodeConditions(fleet, upstream, READY, clock);
  }

  /**
   * Kubernetes mode: {@code KedgeLinkReady} patched into the cluster through {@code writes}. The
   * cluster's Node is read and the condition set with a JSON patch that first tests the Node's
   * resourceVersion, so the kubelet's conditions are never overwritten: a Node changed meanwhile
   * fails the patch, and the next evaluation tries again.
   */
  public static NodeConditions kubernetes(FleetState fleet, KubeWrites writes, Clock clock) {
    Sink cluster =
        patch -> {
          KubeWrites.Result node = writes.read(patch.key());
          if (node.code() == 404) {
            LOG.info("node {}: not in the cluster; no {} written", patch.node(), LINK_READY.type());
            return true; // nothing to keep until it changes
          }
          KubeWrites.Result result =
              node.succeeded() ? writes.apply(asJsonPatch(patch, node.body())) : node;
          if (!result.succeeded()) {
            LOG.warn(
                "node {}: {} not written to the cluster ({}): {}",
                patch.node(),
                LINK_READY.type(),
                result.code(),
                result.body().path("message").asText());
          }
          return result.succeeded();
        };
    return new NodeConditions(fleet, cluster, LINK_READY, clock);
  }

  /**
   * The condition of {@code patch} as a JSON patch of {@code node}: a test of its resourceVersion,
   * then the condition replaced where the Node has one of that type, else added.
   */
  static WriteRequest asJsonPatch(WriteRequest patch, JsonNode node) {
    JsonNode condition = patch.body().path("status").path("conditions").get(0);
    ArrayNode ops = EventCodec.json().createArrayNode();
    ops.addObject()
        .put("op", "test")
        .put("path", "/metadata/resourceVersion")
        .put("value", node.path("metadata").path("resourceVersion").asText());
    JsonNode conditions = node.path("status").path("conditions");
    int index = -1;
    for (int i = 0; i < conditions.size(); i++) {
      if (conditions.get(i).path("type").asText().equals(condition.path("type").asText())) {
        index = i;
      }
    }
    ObjectNode merged = (ObjectNode) condition.deepCopy();
    if (index >= 0 && !merged.has("lastTransitionTime")) {
      merged.set("lastTransitionTime", conditions.get(index).path("lastTransitionTime"));
    }
    if (index >= 0) {
      ops.addObject()
          .put("op", "replace")
          .put("path", "/status/conditions/" + index)
          .set("value", merged);
    } else if (conditions.isArray()) {
      ops.addObject().put("op", "add").put("path", "/status/conditions/-").set("value", merged);
    } else if (node.path("status").isObject()) {
      ops.addObject()
          .put("op", "add")
          .put("path", "/status/conditions")
          .set("value", EventCodec.json().createArrayNode().add(merged));
    } else {
      ObjectNode status = EventCodec.json().createObjectNode();
      status.putArray("conditions").add(merged);
      ops.addObject().put("op", "add").put("path", "/status").set("value", status);
    }
    return new WriteRequest(
        patch.requestId(),
        patch.node(),
        WriteOperation.PATCH,
        patch.key(),
        "status",
        "application/json-patch+json",
        ops,
        "",
        false,
        FIELD_MANAGER);
  }

  public NodeConditions start(Duration every) {
    timer.scheduleWithFixedDelay(
        this::evaluate, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Writes the conditions that changed; public for tests that drive it step by step. */
  public void evaluate() {
    if (!fleet.caughtUp()) {
      return; // decisions need every heartbeat of the lookback
    }
    try {
      long now = clock.millis();
      List<NodeHealth> nodes = fleet.nodes();
      for (NodeHealth node : nodes) {
        String status = node.online() ? "True" : kind.offlineStatus();
        Written last = written.get(node.node());
        boolean fresh = newNodes.remove(node.node()) != null;
        if (last == null) {
          // first look since start: a node found offline may still show ready, and a new one has
          // no condition yet. One online before may have it, or may have joined while this cloud
          // was starting: its refresh comes early, spread at about a thousand nodes a second
          if (!node.online() || fresh) {
            write(node, status, true, now);
          } else {
            long spread = Math.floorMod(node.node().hashCode(), Math.max(1, nodes.size()));
            written.put(node.node(), new Written(status, now - REFRESH.toMillis() + spread));
          }
        } else if (!last.status().equals(status)) {
          write(node, status, true, now);
        } else if (node.online() && now - last.atMs() >= REFRESH.toMillis()) {
          write(node, status, false, now);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("node conditions not written: {}", e.toString());
    }
  }

  private void write(NodeHealth node, String status, boolean transition, long nowMs) {
    ObjectNode patch = EventCodec.json().createObjectNode();
    ObjectNode condition = patch.putObject("status").putArray("conditions").addObject();
    condition.put("type", kind.type()).put("status", status);
    if (node.online()) {
      condition
          .put("reason", kind.readyReason())
          .put("message", "kedge: the node's heartbeats arrive");
    } else {
      condition
          .put("reason", kind.offlineReason())
          .put(
              "message",
              "kedge: no heartbeat from the node for "
                  + fleet.settings().offlineAfter().toSeconds()
                  + " s");
    }
    condition.put("lastHeartbeatTime", KubeTime.of(Instant.ofEpochMilli(node.lastSeenMs())));
    if (transition) {
      condition.put("lastTransitionTime", KubeTime.of(Instant.ofEpochMilli(nowMs)));
    }
    ObjectKey key = new ObjectKey("", "v1", "Node", "", node.node());
    WriteRequest request =
        new WriteRequest(
            "fleet-" + node.node() + "-" + UUID.randomUUID(),
            node.node(),
            WriteOperation.PATCH,
            key,
            "status",
            "application/strategic-merge-patch+json",
            patch,
            "",
            false,
            FIELD_MANAGER);
    if (!sink.write(request)) {
      return; // not recorded: the next evaluation writes it again
    }
    written.put(node.node(), new Written(status, nowMs));
    if (transition) {
      LOG.info("node {}: {}={} ({})", node.node(), kind.type(), status, node.link());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
