package io.kedge.cloud.fleet;

import com.fasterxml.jackson.databind.node.ObjectNode;
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

  private final FleetState fleet;
  private final Producer<String, byte[]> producer;
  private final String upstreamTopic;
  private final byte[] nodeKeySecret;
  private final Clock clock;
  private final EventCodec codec = new EventCodec();
  private final ScheduledExecutorService timer = DaemonThreads.scheduled("kedge-node-conditions");

  /** Per node: the Ready status last written and when. */
  private record Written(String status, long atMs) {}

  private final Map<String, Written> written = new ConcurrentHashMap<>();
  private final Map<String, Boolean> newNodes = new ConcurrentHashMap<>();

  /**
   * @param nodeKeySecret the secret node keys derive from, or null when nodes do not sign
   */
  public NodeConditions(
      FleetState fleet,
      Producer<String, byte[]> producer,
      String upstreamTopic,
      byte[] nodeKeySecret,
      Clock clock) {
    this.fleet = fleet;
    this.producer = producer;
    this.upstreamTopic = upstreamTopic;
    this.nodeKeySecret = nodeKeySecret;
    this.clock = clock;
    fleet.onNewNode(
        node -> {
          if (fleet.caughtUp()) {
            newNodes.put(node, true); // registered since: its Node has no Ready condition yet
          }
        });
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
      for (NodeHealth node : fleet.nodes()) {
        String status = node.online() ? "True" : "Unknown";
        Written last = written.get(node.node());
        boolean fresh = newNodes.remove(node.node()) != null;
        if (last == null) {
          // first look since start: a node found offline may still show Ready=True; a node
          // online was Ready before, unless it is new
          if (status.equals("Unknown") || fresh) {
            write(node, status, true, now);
          } else {
            written.put(node.node(), new Written(status, now));
          }
        } else if (!last.status().equals(status)) {
          write(node, status, true, now);
        } else if (status.equals("True") && now - last.atMs() >= REFRESH.toMillis()) {
          write(node, status, false, now);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("node conditions not written: {}", e.toString());
    }
  }

  private void write(NodeHealth node, String status, boolean transition, long nowMs) {
    ObjectNode patch = EventCodec.json().createObjectNode();
    ObjectNode ready = patch.putObject("status").putArray("conditions").addObject();
    ready.put("type", "Ready").put("status", status);
    if (status.equals("True")) {
      ready.put("reason", "KedgeNodeReady").put("message", "kedge: the node's heartbeats arrive");
      ready.put("lastHeartbeatTime", Instant.ofEpochMilli(node.lastSeenMs()).toString());
    } else {
      ready
          .put("reason", "NodeStatusUnknown")
          .put(
              "message",
              "kedge: no heartbeat from the node for "
                  + fleet.settings().offlineAfter().toSeconds()
                  + " s (last "
                  + Instant.ofEpochMilli(node.lastSeenMs())
                  + ")");
    }
    if (transition) {
      ready.put("lastTransitionTime", Instant.ofEpochMilli(nowMs).toString());
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
    ProducerRecord<String, byte[]> record =
        codec.toRecord(
            upstreamTopic, key.toString(), KedgeEvent.of(SOURCE, key.toString(), request));
    if (nodeKeySecret != null) {
      NodeSignatures.sign(
          node.node(),
          NodeSignatures.nodeKey(nodeKeySecret, node.node()),
          record.key(),
          record.value(),
          record.headers());
    }
    producer.send(record);
    written.put(node.node(), new Written(status, nowMs));
    if (transition) {
      LOG.info("node {}: Ready={} ({})", node.node(), status, node.link());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
