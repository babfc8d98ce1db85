package io.kedge.cloud.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.kube.objects.KubeStatus;
import io.kedge.kube.objects.ObjectDefaults;
import io.kedge.kube.objects.ObjectWrites;
import io.kedge.kube.objects.PodQos;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.EventData;
import io.kedge.schemas.EventType;
import io.kedge.schemas.InvalidEventException;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ReferrerNodes;
import io.kedge.schemas.ResourceDelete;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.schemas.ResyncRequest;
import io.kedge.schemas.StatusWrites;
import io.kedge.schemas.WriteResponse;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ROUTER: stores each resource event's object (versioned as kube-apiserver would in standalone
 * mode), answers the edge write it carries out, and has {@link ObjectPlacer} turn it into upserts
 * and deletes for node topics. Referenced objects (ConfigMaps, Secrets, PersistentVolumeClaims,
 * DeviceModels) are reference-counted: they reach a node no later than the first object that needs
 * them and leave it with the last. A resync request is answered by every task with its part ({@link
 * ResyncAnswer}); what the router sends goes out through {@link RouterOutputs}.
 *
 * <p>One instance runs per partition of the resources topic and holds that partition's objects.
 * Every instance must know every node (broadcast kinds go to all of them, and only known nodes'
 * topics exist), so the instance of a Node's partition tells the others through the fanout topic
 * when the node appears or goes. A resync request reaches the Node's instance, which passes it on
 * the same way; each instance then answers its part, numbered by its partition.
 */
final class RouteProcessor implements Processor<String, byte[], String, Object> {
  private static final Logger LOG = LoggerFactory.getLogger(RouteProcessor.class);

  static final String OBJECTS = "router-objects";
  static final String REFERRERS = "router-referrers";
  static final String NODES = "router-nodes";

  /** Object id to the nodes that wrote it ({@link ObjectPlacer}). */
  static final String WRITERS = "router-writers";

  /** {@code node\nid}: objects that belong on a node not known yet, sent when it joins. */
  static final String WAITING = "router-waiting";

  private final Placement placement;
  private final NodeTopics nodeTopics;
  private final EventCodec codec = new EventCodec();
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, byte[]> objects;
  private KeyValueStore<String, String> nodes;
  private Holdings holdings;
  private ObjectPlacer placer;
  private NodeJoins joins;
  private KeyValueStore<String, byte[]> pending;
  private final boolean kubernetes;
  private final int partitions;
  private final String fanoutTopic;
  private final String requestsTopic;
  private KeyValueStore<String, byte[]> awaiting;
  private ResyncAnswer resyncs;

  /**
   * @param kubernetes whether edge writes go to a Kubernetes cluster, to be answered once their
   *     version is routed (see {@link KubernetesApplier})
   * @param partitions the partitions of the resources topic: the parts of a resync
   * @param fanoutTopic the topic whose records every instance receives
   * @param requestsTopic the topic of requests by object, which partitions tell each other on too
   */
  RouteProcessor(
      Placement placement,
      NodeTopics nodeTopics,
      boolean kubernetes,
      int partitions,
      String fanoutTopic,
      String requestsTopic) {
    this.placement = placement;
    this.nodeTopics = nodeTopics;
    this.kubernetes = kubernetes;
    this.partitions = partitions;
    this.fanoutTopic = fanoutTopic;
    this.requestsTopic = requestsTopic;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.objects = context.getStateStore(OBJECTS);
    this.nodes = context.getStateStore(NODES);
    this.holdings =
        new Holdings(
            placement,
            objects,
            context.getStateStore(Holdings.PLACEMENTS),
            context.getStateStore(Holdings.HELD),
            nodes);
    this.joins =
        new NodeJoins(context, nodeTopics, context.getStateStore(NodeJoins.JOINING), this::joined);
    this.pending = context.getStateStore(UplinkApplier.PENDING);
    this.awaiting = kubernetes ? context.getStateStore(KubernetesApplier.AWAITING) : null;
    this.placer =
        new ObjectPlacer(
            context,
            placement,
            holdings,
            context.getStateStore(REFERRERS),
            nodes,
            context.getStateStore(WAITING),
            context.getStateStore(WRITERS),
            this::loadObject,
            new RemoteReferences(context, placement));
    this.resyncs =
        new ResyncAnswer(
            context, nodes, holdings, placer::isReferenced, this::loadObject, partitions);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (record.value() == null) {
      return; // a compaction tombstone: the delete event before it already routed the delete
    }
    if (UpstreamRequestFilter.is(record.headers(), EventType.WRITE_REQUEST)) {
      return; // the applier's
    }
    KedgeEvent event;
    try {
      event = codec.decode(record.headers(), record.value());
    } catch (InvalidEventException e) {
      deadLetter(record, e.getMessage());
      return;
    }
    EventData data = event.data();
    if (fromFanout()) {
      onFanout(data);
      return;
    }
    try {
      WriteOrigin origin = WriteOrigin.of(record.headers());
      if (data instanceof ReferrerNodes word) {
        if (fromTopic(requestsTopic)) {
          placer.heard(record.key(), word); // another partition's claim moved
        } else {
          deadLetter(record, "referrer nodes are told between the router's partitions only");
        }
      } else if (data instanceof ResourceUpsert written) {
        ResourceUpsert previous = loadObject(Placement.identity(written.key()));
        ResourceUpsert upsert =
            StatusWrites.is(event) ? StatusWrites.applied(previous, written) : written;
        if (upsert == null) {
          return; // the object was deleted (and maybe created again) since the status was read
        }
        if (repeats(upsert, previous)) {
          return;
        }
        ResourceUpsert versioned = versioned(upsert, previous, origin == null, record.timestamp());
        String id = Placement.identity(versioned.key());
        KubernetesApplier.Awaiting write =
            awaiting == null
                ? null
                : KubernetesApplier.awaited(awaiting, id, versioned.cloudResourceVersion());
        onUpsert(versioned, previous, writers(record, origin, write));
        answered(origin, versioned.key(), versioned.object());
        if (write != null) {
          KubernetesApplier.routed(context, nodes, awaiting, id, write, versioned.object());
        }
      } else if (data instanceof ResourceDelete delete) {
        ResourceUpsert previous = onDelete(delete.key());
        if (previous != null && isNode(delete.key())) {
          fanOut(record); // every instance forgets the node
        }
        answered(origin, delete.key(), previous == null ? null : previous.object());
        if (awaiting != null) {
          String id = Placement.identity(delete.key());
          KubernetesApplier.Awaiting write = KubernetesApplier.awaited(awaiting, id, "");
          if (write != null) {
            KubernetesApplier.routed(context, nodes, awaiting, id, write, null);
          }
        }
      } else if (data instanceof ResyncRequest request) {
        if (joins.isJoining(request.node())) {
          joins.holdResync(request.node(), new String(record.value(), StandardCharsets.UTF_8));
        } else if (knowsNodeObject(request)) {
          fanOut(record); // every instance answers its part
        }
      }
    } catch (IllegalArgumentException e) {
      deadLetter(record, e.getMessage());
    }
  }

  private boolean fromFanout() {
    return fromTopic(fanoutTopic);
  }

  private boolean fromTopic(String topic) {
    return context.recordMetadata().map(metadata -> metadata.topic().equals(topic)).orElse(false);
  }

  private void fanOut(Record<String, byte[]> record) {
    context.forward(record.withValue((Object) record.value()), RouterOutputs.FANOUT_SINK);
  }

  private static boolean isNode(ObjectKey key) {
    return key.group().isEmpty() && key.kind().equals("Node");
  }

  /**
   * What the instance of a Node's partition told every instance: the node appeared or went, or it
   * asked for a resync. The Node's own instance acted on its arrival and removal already.
   */
  private void onFanout(EventData data) {
    if (data instanceof ResourceUpsert upsert && isNode(upsert.key())) {
      String node = upsert.key().name();
      if (nodes.get(node) == null) {
        nodes.put(node, "");
        placer.catchUp(node);
        RouterOutputs.releaseHeld(context, node);
      }
    } else if (data instanceof ResourceDelete delete && isNode(delete.key())) {
      nodes.delete(delete.key().name());
      RouterOutputs.dropHeld(context, delete.key().name());
    } else if (data instanceof ResyncRequest request) {
      resyncs.answer(request);
    }
  }

  /** True when the node asking for a resync has a Node object; says why not otherwise. */
  private boolean knowsNodeObject(ResyncRequest request) {
    String id = Placement.identity(ObjectKey.parse(UpstreamRequestFilter.nodeKey(request.node())));
    if (objects.get(id) != null) {
      return true;
    }
    LOG.warn(
        "resync {} from unknown node {}: ignored until its Node object exists",
        request.requestId(),
        request.node());
    return false;
  }

  private void deadLetter(Record<String, byte[]> record, String reason) {
    RouterOutputs.deadLetter(context, record, "router", reason);
  }

  /**
   * The nodes whose edge writes made an upsert: the applier's origin header in standalone mode, the
   * write awaiting its version ({@code write}) in Kubernetes mode, the writers a repartition
   * carried over; none for other sources' changes.
   */
  private Set<String> writers(
      Record<String, byte[]> record, WriteOrigin origin, KubernetesApplier.Awaiting write) {
    if (origin != null) {
      return origin.code() < 300 ? Set.of(origin.node()) : Set.of();
    }
    if (write != null && write.code() < 300) {
      return Set.of(write.node());
    }
    return WriteOrigin.writers(record.headers());
  }

  private void onUpsert(ResourceUpsert upsert, ResourceUpsert previous, Set<String> writers) {
    ObjectKey key = upsert.key();
    String id = Placement.identity(key);
    objects.put(id, codec.encodeData(upsert));
    boolean ready = false;
    if (isNode(key) && nodes.get(key.name()) == null && !joins.isJoining(key.name())) {
      ready = joins.start(key.name());
      if (ready) {
        nodes.put(key.name(), "");
      }
    }
    placer.upserted(previous, upsert, writers);
    if (ready) {
      LOG.info("node {} appeared: its topic exists", key.name());
      activate(key.name());
    }
  }

  /** A joining node's topic exists: it is activated, then the resync it asked for is answered. */
  private void joined(String node, String resync) {
    nodes.put(node, "");
    activate(node);
    if (!resync.isEmpty()) {
      ResyncRequest request =
          (ResyncRequest)
              codec.decodeData(EventType.RESYNC_REQUEST, resync.getBytes(StandardCharsets.UTF_8));
      fanOut(UpstreamRequestFilter.nodeKey(node), request);
    }
  }

  /**
   * A node's topic exists: it gets what already waits for it, and every instance learns of it
   * (through the fanout topic) and sends it what it holds for it.
   */
  private void activate(String node) {
    // NodeJoins counts joins: a line per node would be hundreds a second while a fleet joins,
    // each written by the stream thread
    LOG.debug("node {} activated", node);
    placer.catchUp(node);
    RouterOutputs.releaseHeld(context, node);
    ResourceUpsert object =
        loadObject(Placement.identity(ObjectKey.parse(UpstreamRequestFilter.nodeKey(node))));
    if (object != null) {
      fanOut(object.key().toString(), object);
    }
  }

  /** Sends {@code data} to every instance through the fanout topic. */
  private void fanOut(String key, EventData data) {
    RouterOutputs.forwardEvent(context, RouterOutputs.FANOUT_SINK, key, data);
  }

  /**
   * A source's upsert of the version already stored: two Kubernetes sources overlapping while the
   * Lease changes hands, or a re-list. Nothing changed, so nothing is routed.
   */
  private static boolean repeats(ResourceUpsert upsert, ResourceUpsert stored) {
    return !upsert.cloudResourceVersion().isEmpty()
        && stored != null
        && stored.cloudResourceVersion().equals(upsert.cloudResourceVersion());
  }

  /**
   * In standalone mode, where {@code kedge.resources} is the store, the router sets what
   * kube-apiserver sets on every write whatever its source (edge writes, manifests, CDC): the
   * record's offset becomes the resourceVersion, as etcd's revision does; the uid and
   * creationTimestamp are the first version's and never change; generation counts changes of {@code
   * spec}; every object gets kube-apiserver's defaults ({@link ObjectDefaults}: a Pod's spec, a
   * Service's ports, a volume's mode, a Secret's {@code stringData} folded into its data), and a
   * new Pod is Pending with its QoS class. A source's upsert that states no status (a manifest
   * applied again, as every manifest is when the cloud starts) keeps the status stored, which the
   * node reported. In Kubernetes mode the cluster has set them all.
   *
   * @param fromSource whether a source wrote it (manifests, CDC), not a node's write the applier
   *     decided, which has its status as Kubernetes' write rules left it
   */
  private ResourceUpsert versioned(
      ResourceUpsert upsert, ResourceUpsert previous, boolean fromSource, long timestamp) {
    if (!upsert.cloudResourceVersion().isEmpty()) {
      return upsert;
    }
    long offset = context.recordMetadata().orElseThrow().offset();
    String version = Long.toString(offset);
    ObjectNode object = upsert.object().deepCopy();
    if (fromSource && previous != null && object.path("status").isEmpty()) {
      JsonNode reported = previous.object().path("status");
      if (!reported.isEmpty()) {
        object.set("status", reported.deepCopy());
      }
    }
    ServerMetadata.fill(
        object, previous == null ? null : previous.object(), upsert.key(), offset, timestamp);
    ObjectDefaults.fill(upsert.key(), object);
    if (previous == null && upsert.key().group().isEmpty() && upsert.key().kind().equals("Pod")) {
      PodQos.fillNewPodStatus(object);
    }
    object.withObject("metadata").put("resourceVersion", version);
    return new ResourceUpsert(upsert.key(), version, object);
  }

  /** Answers the edge write this record carries out, if any, now that it is routed. */
  private void answered(WriteOrigin origin, ObjectKey key, ObjectNode object) {
    if (origin == null) {
      return;
    }
    String id = Placement.identity(key);
    UplinkApplier.Pending inFlight = UplinkApplier.Pending.decode(pending.get(id));
    if (inFlight != null && inFlight.requestId().equals(origin.requestId())) {
      pending.delete(id);
    }
    JsonNode body =
        object == null ? KubeStatus.success(ObjectWrites.resourceName(key), key.name()) : object;
    RouterOutputs.answer(
        context, nodes, origin.node(), new WriteResponse(origin.requestId(), origin.code(), body));
  }

  /** Routes the deletion; returns the object as it was, or null when it was unknown. */
  private ResourceUpsert onDelete(ObjectKey key) {
    String id = Placement.identity(key);
    ResourceUpsert previous = loadObject(id);
    objects.delete(id);
    placer.deleted(key, previous);
    if (isNode(key) && joins.removed(key.name())) {
      nodeTopics.released(key.name()); // its topic may exist by now
      LOG.info("node {} removed while joining", key.name());
    }
    if (isNode(key) && nodes.get(key.name()) != null) {
      nodes.delete(key.name());
      nodeTopics.released(key.name());
      LOG.info("node {} removed", key.name());
    }
    if (isNode(key)) {
      RouterOutputs.dropHeld(context, key.name());
    }
    return previous;
  }

  private ResourceUpsert loadObject(String id) {
    byte[] bytes = objects.get(id);
    return bytes == null
        ? null
        : (ResourceUpsert) codec.decodeData(io.kedge.schemas.EventType.RESOURCE_UPSERT, bytes);
  }
}
