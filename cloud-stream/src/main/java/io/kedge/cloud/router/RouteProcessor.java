package io.kedge.cloud.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.DeadLetter;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.EventData;
import io.kedge.schemas.EventType;
import io.kedge.schemas.InvalidEventException;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceDelete;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.schemas.ResyncBegin;
import io.kedge.schemas.ResyncEnd;
import io.kedge.schemas.ResyncRequest;
import io.kedge.schemas.WriteResponse;
import io.kedge.schemas.objects.KubeStatus;
import io.kedge.schemas.objects.ObjectWrites;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ROUTER: keeps, per object, the set of nodes that hold it, and turns each resource event into
 * upserts and deletes for node topics. Referenced objects (ConfigMaps, Secrets, DeviceModels) are
 * reference-counted: they reach a node no later than the first object that needs them and leave it
 * with the last. Also answers resync requests with every object a node should hold.
 *
 * <p>One instance runs per partition of the resources topic and holds that partition's objects.
 * Every instance must know every node (broadcast kinds go to all of them, and only known nodes'
 * topics exist), so the instance of a Node's partition tells the others through the fanout topic
 * when the node appears or goes. A resync request reaches the Node's instance, which passes it on
 * the same way; each instance then answers its part, numbered by its partition.
 */
final class RouteProcessor implements Processor<String, byte[], String, Object> {
  private static final Logger LOG = LoggerFactory.getLogger(RouteProcessor.class);
  private static final URI SOURCE = URI.create("/kedge/cloud/router");

  static final String OBJECTS = "router-objects";
  static final String PLACEMENTS = "router-placements";
  static final String REFERRERS = "router-referrers";
  static final String NODES = "router-nodes";

  /** Nodes whose topic is being created: node → the resync it asked for meanwhile, or "". */
  static final String JOINING = "router-joining";

  /** {@code node\nid}: objects that belong on a node not known yet, sent when it joins. */
  static final String WAITING = "router-waiting";

  /**
   * {@code node\nid}: what each node holds, except broadcast kinds, so a node's resync reads its
   * own objects only. Its marker entry names the broadcast kinds it was built for.
   */
  static final String HELD = "router-held";

  private static final String HELD_MARKER = "\u0000broadcast-kinds";

  static final String NODE_SINK = "node-topics";
  static final String DEADLETTER_SINK = "deadletter";
  static final String FANOUT_SINK = "fanout";

  private final Placement placement;
  private final NodeTopics nodeTopics;
  private final EventCodec codec = new EventCodec();
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, byte[]> objects;
  private KeyValueStore<String, String> placements;
  private KeyValueStore<String, String> referrers;
  private KeyValueStore<String, String> nodes;
  private KeyValueStore<String, String> joining;
  private KeyValueStore<String, String> waiting;
  private KeyValueStore<String, String> held;
  private boolean heldIndexed;

  /** Topic creations under way (rebuilt from {@link #JOINING} after a restart). */
  private final Map<String, CompletableFuture<Void>> creating = new HashMap<>();

  private boolean joiningResumed;
  private Cancellable joinChecks;
  private KeyValueStore<String, byte[]> pending;
  private final boolean kubernetes;
  private final int partitions;
  private final String fanoutTopic;
  private KeyValueStore<String, byte[]> awaiting;

  /**
   * @param kubernetes whether edge writes go to a Kubernetes cluster, to be answered once their
   *     version is routed (see {@link KubernetesApplier})
   * @param partitions the partitions of the resources topic: the parts of a resync
   * @param fanoutTopic the topic whose records every instance receives
   */
  RouteProcessor(
      Placement placement,
      NodeTopics nodeTopics,
      boolean kubernetes,
      int partitions,
      String fanoutTopic) {
    this.placement = placement;
    this.nodeTopics = nodeTopics;
    this.kubernetes = kubernetes;
    this.partitions = partitions;
    this.fanoutTopic = fanoutTopic;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.objects = context.getStateStore(OBJECTS);
    this.placements = context.getStateStore(PLACEMENTS);
    this.referrers = context.getStateStore(REFERRERS);
    this.nodes = context.getStateStore(NODES);
    this.joining = context.getStateStore(JOINING);
    this.waiting = context.getStateStore(WAITING);
    this.held = context.getStateStore(HELD);
    scheduleJoinChecks(); // for the nodes that were joining when this task last stopped
    this.pending = context.getStateStore(UplinkApplier.PENDING);
    this.awaiting = kubernetes ? context.getStateStore(KubernetesApplier.AWAITING) : null;
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
      if (data instanceof ResourceUpsert upsert) {
        ResourceUpsert previous = loadObject(Placement.identity(upsert.key()));
        if (repeats(upsert, previous)) {
          return;
        }
        ResourceUpsert versioned = versioned(upsert, previous, record.timestamp());
        onUpsert(versioned, previous, event);
        answered(origin, versioned.key(), versioned.object());
        if (awaiting != null) {
          KubernetesApplier.routed(
              context,
              nodes,
              awaiting,
              Placement.identity(versioned.key()),
              versioned.cloudResourceVersion(),
              versioned.object());
        }
      } else if (data instanceof ResourceDelete delete) {
        ResourceUpsert previous = onDelete(delete.key(), event);
        if (previous != null && isNode(delete.key())) {
          fanOut(record); // every instance forgets the node
        }
        answered(origin, delete.key(), previous == null ? null : previous.object());
        if (awaiting != null) {
          KubernetesApplier.routed(
              context, nodes, awaiting, Placement.identity(delete.key()), "", null);
        }
      } else if (data instanceof ResyncRequest request) {
        if (joining.get(request.node()) != null) {
          joining.put(request.node(), new String(record.value(), StandardCharsets.UTF_8));
        } else if (knowsNodeObject(request)) {
          fanOut(record); // every instance answers its part
        }
      }
    } catch (IllegalArgumentException e) {
      deadLetter(record, e.getMessage());
    }
  }

  private boolean fromFanout() {
    return context
        .recordMetadata()
        .map(metadata -> metadata.topic().equals(fanoutTopic))
        .orElse(false);
  }

  private void fanOut(Record<String, byte[]> record) {
    context.forward(record.withValue((Object) record.value()), FANOUT_SINK);
  }

  /** How often joining nodes are checked for their topic. */
  private static final java.time.Duration JOIN_CHECK = java.time.Duration.ofMillis(20);

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
        catchUpNode(node);
      }
    } else if (data instanceof ResourceDelete delete && isNode(delete.key())) {
      nodes.delete(delete.key().name());
    } else if (data instanceof ResyncRequest request) {
      onResync(request);
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
    deadLetter(context, record, "router", reason);
  }

  /** Sends {@code record} to the dead-letter topic with its coordinates, the stage and why. */
  static void deadLetter(
      ProcessorContext<String, Object> context,
      Record<String, byte[]> record,
      String stage,
      String reason) {
    RecordMetadata from = context.recordMetadata().orElseThrow();
    LOG.warn(
        "{}: dead-lettering {}-{}@{}: {}",
        stage,
        from.topic(),
        from.partition(),
        from.offset(),
        reason);
    RecordHeaders headers = new RecordHeaders(record.headers().toArray());
    DeadLetter.annotate(headers, from.topic(), from.partition(), from.offset(), stage, reason);
    byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
    context.forward(
        new Record<String, Object>(
            record.key(), new DeadLetterValue(key, record.value()), record.timestamp(), headers),
        DEADLETTER_SINK);
  }

  /** Original key and value bytes of a dead letter. */
  record DeadLetterValue(byte[] key, byte[] value) {}

  private void onUpsert(ResourceUpsert upsert, ResourceUpsert previous, KedgeEvent event) {
    ObjectKey key = upsert.key();
    String id = Placement.identity(key);
    objects.put(id, codec.encodeData(upsert));
    boolean ready = false;
    if (isNode(key) && nodes.get(key.name()) == null && joining.get(key.name()) == null) {
      ready = join(key.name());
    }
    Set<String> referenceChanges = updateReferences(key, previous, upsert.object());
    referenceChanges.forEach(ref -> place(ref, true, false));
    placeObject(id, upsert, event);
    referenceChanges.forEach(ref -> place(ref, false, true));
    if (ready) {
      activate(key.name());
    }
  }

  /**
   * A Node appeared: its topic is asked for. True when it exists already (the node can be activated
   * at once); otherwise the node is joining, and activated once its topic exists, while later
   * Nodes' topics are asked for meanwhile.
   */
  private boolean join(String node) {
    CompletableFuture<Void> created = nodeTopics.ensureAsync(node);
    if (created.isDone() && !created.isCompletedExceptionally()) {
      nodes.put(node, "");
      return true;
    }
    joining.put(node, "");
    creating.put(node, created);
    scheduleJoinChecks();
    return false;
  }

  /** Checks joining nodes' topics every {@link #JOIN_CHECK} while any is joining. */
  private void scheduleJoinChecks() {
    if (joinChecks == null) {
      joinChecks =
          context.schedule(JOIN_CHECK, PunctuationType.WALL_CLOCK_TIME, now -> activateJoined());
    }
  }

  /** Activates the joining nodes whose topic exists; asks again for those that failed. */
  private void activateJoined() {
    if (!joiningResumed) {
      joiningResumed = true; // after a restart: the creations under way were lost with the process
      try (KeyValueIterator<String, String> it = joining.all()) {
        it.forEachRemaining(kv -> creating.computeIfAbsent(kv.key, nodeTopics::ensureAsync));
      }
    }
    List<String> ready = new ArrayList<>();
    for (Map.Entry<String, CompletableFuture<Void>> entry : creating.entrySet()) {
      CompletableFuture<Void> created = entry.getValue();
      if (!created.isDone()) {
        continue;
      }
      if (created.isCompletedExceptionally()) {
        LOG.warn(
            "topic of node {} could not be created ({}); asking again",
            entry.getKey(),
            created.handle((ok, e) -> String.valueOf(e)).join());
        entry.setValue(nodeTopics.ensureAsync(entry.getKey()));
      } else {
        ready.add(entry.getKey());
      }
    }
    for (String node : ready) {
      creating.remove(node);
      String resync = joining.get(node);
      joining.delete(node);
      if (resync == null) {
        continue; // removed while joining
      }
      nodes.put(node, "");
      activate(node);
      if (!resync.isEmpty()) {
        ResyncRequest request =
            (ResyncRequest)
                codec.decodeData(EventType.RESYNC_REQUEST, resync.getBytes(StandardCharsets.UTF_8));
        fanOut(UpstreamRequestFilter.nodeKey(node), request);
      }
    }
    if (creating.isEmpty() && joinChecks != null) {
      joinChecks.cancel();
      joinChecks = null;
    }
  }

  /**
   * A node's topic exists: it gets what already waits for it, and every instance learns of it
   * (through the fanout topic) and sends it what it holds for it.
   */
  private void activate(String node) {
    LOG.info("node {} appeared: topic ready", node);
    catchUpNode(node);
    ResourceUpsert object =
        loadObject(Placement.identity(ObjectKey.parse(UpstreamRequestFilter.nodeKey(node))));
    if (object != null) {
      fanOut(object.key().toString(), object);
    }
  }

  /** Sends {@code data} to every instance through the fanout topic. */
  private void fanOut(String key, EventData data) {
    RecordHeaders headers = new RecordHeaders();
    byte[] value = codec.encode(KedgeEvent.of(SOURCE, key, data), headers);
    context.forward(
        new Record<String, Object>(key, value, context.currentSystemTimeMs(), headers),
        FANOUT_SINK);
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
   * spec}. In Kubernetes mode the cluster has set them all.
   */
  private ResourceUpsert versioned(ResourceUpsert upsert, ResourceUpsert previous, long timestamp) {
    if (!upsert.cloudResourceVersion().isEmpty()) {
      return upsert;
    }
    long offset = context.recordMetadata().orElseThrow().offset();
    String version = Long.toString(offset);
    ObjectNode object = upsert.object().deepCopy();
    ServerMetadata.fill(
        object, previous == null ? null : previous.object(), upsert.key(), offset, timestamp);
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
    answer(
        context, nodes, origin.node(), new WriteResponse(origin.requestId(), origin.code(), body));
  }

  /** Sends a write's answer to the node that asked, if its topic exists. */
  static void answer(
      ProcessorContext<String, Object> context,
      KeyValueStore<String, String> nodes,
      String node,
      WriteResponse response) {
    if (nodes.get(node) == null) {
      LOG.warn(
          "write {} came from node {}, which has no Node object: the answer {} is not sent",
          response.requestId(),
          node,
          response.code());
      return;
    }
    KedgeEvent event = KedgeEvent.of(SOURCE, response.requestId(), response);
    context.forward(
        new Record<String, Object>(
            response.requestId(), new Routed(node, event), context.currentSystemTimeMs()),
        NODE_SINK);
  }

  /** Routes the deletion; returns the object as it was, or null when it was unknown. */
  private ResourceUpsert onDelete(ObjectKey key, KedgeEvent event) {
    String id = Placement.identity(key);
    ResourceUpsert previous = loadObject(id);
    objects.delete(id);
    Set<String> referenceChanges =
        previous == null ? Set.of() : updateReferences(key, previous, null);
    Set<String> holders = holders(id);
    for (String node : holders) {
      emit(node, key, new ResourceDelete(key, ""));
    }
    setPlacement(id, holders, Set.of());
    referenceChanges.forEach(ref -> place(ref, false, true));
    if (isNode(key) && joining.get(key.name()) != null) {
      joining.delete(key.name());
      creating.remove(key.name());
      nodeTopics.released(key.name()); // its topic may exist by now
      LOG.info("node {} removed while joining", key.name());
    }
    if (isNode(key) && nodes.get(key.name()) != null) {
      nodes.delete(key.name());
      nodeTopics.released(key.name());
      LOG.info("node {} removed", key.name());
    }
    return previous;
  }

  /** Updates the referrer index for {@code key}'s references; returns referenced ids touched. */
  private Set<String> updateReferences(ObjectKey key, ResourceUpsert previous, ObjectNode current) {
    String id = Placement.identity(key);
    Set<String> before =
        previous == null ? Set.of() : ids(placement.references(key, previous.object()));
    Set<String> after = current == null ? Set.of() : ids(placement.references(key, current));
    Set<String> touched = new LinkedHashSet<>();
    for (String ref : before) {
      if (!after.contains(ref)) {
        Set<String> set = nodesOf(referrers.get(ref));
        set.remove(id);
        putSet(referrers, ref, set);
        touched.add(ref);
      }
    }
    for (String ref : after) {
      Set<String> set = nodesOf(referrers.get(ref));
      set.add(id);
      putSet(referrers, ref, set);
      touched.add(ref); // the referrer may have moved to another node
    }
    return touched;
  }

  private static Set<String> ids(Set<ObjectKey> keys) {
    return keys.stream()
        .map(Placement::identity)
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  /** The nodes {@code upsert} should be on now, among the known ones. */
  private Set<String> desired(String id, ResourceUpsert upsert) {
    Set<String> wanted =
        switch (placement.rule(upsert.key())) {
          case BROADCAST -> knownNodes();
          case DIRECT -> placement.directNodes(upsert.key(), upsert.object());
          case REFERENCED -> nodesOfReferrers(id);
        };
    Set<String> known = new TreeSet<>();
    for (String node : wanted) {
      if (nodes.get(node) != null) {
        known.add(node);
      } else if (placement.rule(upsert.key()) == Placement.Rule.DIRECT) {
        waiting.put(node + "\n" + id, ""); // sent when the node joins
      }
    }
    return known;
  }

  private Set<String> nodesOfReferrers(String id) {
    Set<String> result = new TreeSet<>();
    for (String referrer : nodesOf(referrers.get(id))) {
      ResourceUpsert object = loadObject(referrer);
      if (object != null) {
        result.addAll(placement.directNodes(object.key(), object.object()));
      }
    }
    return result;
  }

  private void placeObject(String id, ResourceUpsert upsert, KedgeEvent event) {
    Set<String> before = holders(id);
    Set<String> after = desired(id, upsert);
    for (String node : before) {
      if (!after.contains(node)) {
        emit(node, upsert.key(), new ResourceDelete(upsert.key(), upsert.cloudResourceVersion()));
      }
    }
    for (String node : after) {
      emit(node, upsert.key(), upsert);
    }
    setPlacement(id, before, after);
  }

  /**
   * Re-places a referenced object whose referrers changed: additions first (before the referrer
   * arrives), removals later (after it left).
   */
  private void place(String id, boolean additions, boolean removals) {
    ResourceUpsert object = loadObject(id);
    Set<String> before = holders(id);
    Set<String> after = object == null ? Set.of() : desired(id, object);
    Set<String> next = new TreeSet<>(before);
    if (additions && object != null) {
      for (String node : after) {
        if (!before.contains(node)) {
          emit(node, object.key(), object);
          next.add(node);
        }
      }
    }
    if (removals && object != null) {
      for (String node : before) {
        if (!after.contains(node)) {
          emit(node, object.key(), new ResourceDelete(object.key(), object.cloudResourceVersion()));
          next.remove(node);
        }
      }
    }
    setPlacement(id, before, next);
  }

  /**
   * A node just appeared: send it what already waits for it (objects bound to it, with what they
   * reference first) and every broadcast object. Only those are read, so a join costs the same
   * however many objects the router holds.
   */
  private void catchUpNode(String node) {
    int sent = 0;
    for (String kind : placement.broadcastKinds()) {
      List<String> ids = new ArrayList<>();
      try (KeyValueIterator<String, byte[]> it =
          objects.prefixScan(kind + "/", new StringSerializer())) {
        it.forEachRemaining(kv -> ids.add(kv.key));
      }
      for (String id : ids) {
        ResourceUpsert object = loadObject(id);
        if (object != null) {
          emit(node, object.key(), object); // the node is new: it holds none of them
          sent++;
        }
      }
    }
    String prefix = node + "\n";
    List<String> bound = new ArrayList<>();
    try (KeyValueIterator<String, String> it = waiting.prefixScan(prefix, new StringSerializer())) {
      it.forEachRemaining(kv -> bound.add(kv.key));
    }
    for (String entry : bound) {
      waiting.delete(entry);
      String id = entry.substring(prefix.length());
      ResourceUpsert object = loadObject(id);
      if (object == null) {
        continue;
      }
      for (ObjectKey ref : placement.references(object.key(), object.object())) {
        sent += sendIfMissing(node, Placement.identity(ref)); // before what needs them
      }
      sent += sendIfMissing(node, id);
    }
    if (sent > 0) {
      LOG.info("node {} caught up with {} pending objects", node, sent);
    }
  }

  /** Sends object {@code id} to {@code node} if it belongs there and is not there yet. */
  private int sendIfMissing(String node, String id) {
    ResourceUpsert object = loadObject(id);
    if (object == null) {
      return 0;
    }
    Set<String> before = holders(id);
    if (before.contains(node) || !desired(id, object).contains(node)) {
      return 0;
    }
    emit(node, object.key(), object);
    Set<String> after = new TreeSet<>(before);
    after.add(node);
    setPlacement(id, before, after);
    return 1;
  }

  private boolean isReferenced(String id) {
    return referrers.get(id) != null;
  }

  private void onResync(ResyncRequest request) {
    String node = request.node();
    if (nodes.get(node) == null) {
      LOG.warn("resync {}: node {} was removed since it asked", request.requestId(), node);
      return;
    }
    int part = context.taskId().partition();
    emit(node, null, new ResyncBegin(request.requestId(), part, partitions));
    long count = 0;
    List<String> referenced = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (String id : heldBy(node)) {
      (isReferenced(id) ? referenced : others).add(id);
    }
    for (List<String> ids : List.of(referenced, others)) {
      for (String id : ids) {
        ResourceUpsert object = loadObject(id);
        if (object != null) {
          emit(node, object.key(), object);
          count++;
        }
      }
    }
    emit(node, null, new ResyncEnd(request.requestId(), count, part, partitions));
    LOG.info(
        "resync {} for node {}: {} objects of partition {} ({})",
        request.requestId(),
        node,
        count,
        part,
        request.reason());
  }

  /** What {@code node} holds of this task's objects: the index, then the broadcast kinds. */
  private List<String> heldBy(String node) {
    ensureHeldIndex();
    List<String> ids = new ArrayList<>();
    String prefix = node + "\n";
    try (KeyValueIterator<String, String> it = held.prefixScan(prefix, new StringSerializer())) {
      it.forEachRemaining(kv -> ids.add(kv.key.substring(prefix.length())));
    }
    for (String kind : placement.broadcastKinds()) {
      try (KeyValueIterator<String, byte[]> it =
          objects.prefixScan(kind + "/", new StringSerializer())) {
        it.forEachRemaining(kv -> ids.add(kv.key));
      }
    }
    return ids;
  }

  /**
   * The nodes holding object {@code id}: every known node for a broadcast kind (kept nowhere, as it
   * would name the whole fleet), else its placement.
   */
  private Set<String> holders(String id) {
    return isBroadcast(id) ? knownNodes() : nodesOf(placements.get(id));
  }

  /** Records where object {@code id} is now, in the placements and the index of what nodes hold. */
  private void setPlacement(String id, Set<String> before, Set<String> after) {
    if (isBroadcast(id)) {
      placements.delete(id); // every known node; an entry from an older router goes
      return;
    }
    putSet(placements, id, after);
    ensureHeldIndex();
    for (String node : before) {
      if (!after.contains(node)) {
        held.delete(node + "\n" + id);
      }
    }
    for (String node : after) {
      if (!before.contains(node)) {
        held.put(node + "\n" + id, "");
      }
    }
  }

  private boolean isBroadcast(String id) {
    int kindEnd = id.indexOf('/', id.indexOf('/') + 1);
    return kindEnd > 0 && placement.broadcastKinds().contains(id.substring(0, kindEnd));
  }

  /**
   * Builds the index of what nodes hold from the placements when it is missing (a store from before
   * the index) or was built for other broadcast kinds.
   */
  private void ensureHeldIndex() {
    if (heldIndexed) {
      return;
    }
    heldIndexed = true;
    String kinds = String.join(",", new TreeSet<>(placement.broadcastKinds()));
    if (kinds.equals(held.get(HELD_MARKER))) {
      return;
    }
    List<String> stale = new ArrayList<>();
    try (KeyValueIterator<String, String> it = held.all()) {
      it.forEachRemaining(kv -> stale.add(kv.key));
    }
    stale.forEach(held::delete);
    long entries = 0;
    try (KeyValueIterator<String, String> it = placements.all()) {
      while (it.hasNext()) {
        KeyValue<String, String> entry = it.next();
        if (!isBroadcast(entry.key)) {
          for (String node : nodesOf(entry.value)) {
            held.put(node + "\n" + entry.key, "");
            entries++;
          }
        }
      }
    }
    held.put(HELD_MARKER, kinds);
    LOG.info("index of what nodes hold built: {} entries", entries);
  }

  private void emit(String node, ObjectKey key, EventData data) {
    KedgeEvent event = KedgeEvent.of(SOURCE, key == null ? "" : key.toString(), data);
    String recordKey = key == null ? event.id() : key.toString();
    context.forward(
        new Record<String, Object>(
            recordKey, new Routed(node, event), context.currentSystemTimeMs()),
        NODE_SINK);
  }

  private ResourceUpsert loadObject(String id) {
    byte[] bytes = objects.get(id);
    return bytes == null
        ? null
        : (ResourceUpsert) codec.decodeData(io.kedge.schemas.EventType.RESOURCE_UPSERT, bytes);
  }

  private Set<String> knownNodes() {
    Set<String> known = new TreeSet<>();
    try (KeyValueIterator<String, String> it = nodes.all()) {
      it.forEachRemaining(kv -> known.add(kv.key));
    }
    return known;
  }

  private static Set<String> nodesOf(String joined) {
    if (joined == null || joined.isEmpty()) {
      return new TreeSet<>();
    }
    return new TreeSet<>(Arrays.asList(joined.split("\n")));
  }

  private static void putSet(KeyValueStore<String, String> store, String key, Set<String> values) {
    if (values.isEmpty()) {
      store.delete(key);
    } else {
      store.put(key, String.join("\n", values));
    }
  }
}
