package io.kedge.cloud.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.kube.objects.ObjectWrites;
import io.kedge.kube.objects.SystemNamespaces;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.EventData;
import io.kedge.schemas.EventType;
import io.kedge.schemas.InvalidEventException;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceDelete;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.schemas.WriteRequest;
import io.kedge.schemas.WriteResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UPLINK APPLIER in standalone mode, where {@code kedge.resources} is the store: it applies
 * write requests from edge APIs with optimistic concurrency and answers with Kubernetes' codes.
 *
 * <p>A change is written to {@code kedge.resources} in the same transaction as the request's
 * consumption, tagged with its {@link WriteOrigin}; the router answers once it has routed that
 * record, whose offset becomes the object's resourceVersion (as etcd's revision does). Until then
 * the change is held as pending, so later requests for the same object see it: an unconditional
 * write applies on top of it, and one naming any resourceVersion conflicts, as no client can have
 * seen the pending one. Rejections, no-ops and dry runs are answered at once. A request id seen
 * before is dropped: applied once and answered once.
 */
final class UplinkApplier implements Processor<String, byte[], String, Object> {
  private static final URI SOURCE = URI.create("/kedge/cloud/applier");

  static final String PENDING = "applier-pending";
  static final String APPLIED = "applier-requests";
  static final String RESOURCES_SINK = "applier-resources";

  private static final Logger LOG = LoggerFactory.getLogger(UplinkApplier.class);

  private final Duration dedupeWindow;
  private final NodeTrust trust;
  private final SystemNamespaceKeeper systemNamespaces;
  private final EventCodec codec = new EventCodec();
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, byte[]> objects;
  private KeyValueStore<String, byte[]> pending;
  private KeyValueStore<String, Long> applied;
  private KeyValueStore<String, String> nodes;
  private KeyValueStore<String, String> placements;

  /**
   * @param dedupeWindow how long request ids are remembered (at least the upstream retention)
   * @param trust what a node may write: others are answered 403 and counted
   * @param systemNamespaces what keeps kube-apiserver's system Namespaces, or null for none
   */
  UplinkApplier(Duration dedupeWindow, NodeTrust trust, SystemNamespaceKeeper systemNamespaces) {
    this.dedupeWindow = dedupeWindow;
    this.trust = trust;
    this.systemNamespaces = systemNamespaces;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.objects = context.getStateStore(RouteProcessor.OBJECTS);
    this.pending = context.getStateStore(PENDING);
    this.applied = context.getStateStore(APPLIED);
    this.nodes = context.getStateStore(RouteProcessor.NODES);
    this.placements = context.getStateStore(Holdings.PLACEMENTS);
    context.schedule(Duration.ofMinutes(10), PunctuationType.WALL_CLOCK_TIME, this::forgetOld);
    if (systemNamespaces != null) {
      context.schedule(
          SystemNamespaceKeeper.EVERY,
          PunctuationType.WALL_CLOCK_TIME,
          this::createSystemNamespaces);
    }
  }

  /** Writes the system Namespaces of this partition that neither the store nor a write holds. */
  private void createSystemNamespaces(long now) {
    for (ObjectKey key : systemNamespaces.missing(context.taskId().partition(), this::held)) {
      LOG.info("namespace {} is missing: created, as kube-apiserver creates it", key.name());
      writeResource(
          key, new ResourceUpsert(key, "", SystemNamespaces.object(key.name())), null, now);
    }
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (record.value() == null
        || !UpstreamRequestFilter.is(record.headers(), EventType.WRITE_REQUEST)) {
      return; // resync requests are the router's
    }
    WriteRequest request;
    try {
      request = codec.decode(record.headers(), record.value()).dataAs(WriteRequest.class);
    } catch (InvalidEventException | ClassCastException e) {
      deadLetter(record, e.getMessage());
      return;
    }
    if (applied.get(request.requestId()) != null) {
      AppliedWrites.duplicate(request);
      return;
    }
    applied.put(request.requestId(), context.currentSystemTimeMs());
    apply(request, record.timestamp());
  }

  private void apply(WriteRequest request, long timestamp) {
    String id = Placement.identity(request.key());
    Pending inFlight = Pending.decode(pending.get(id));
    ObjectNode current;
    if (inFlight != null) {
      current = inFlight.object();
      if (current != null
          && !(ObjectWrites.requestedVersion(request.operation(), request.body()).isEmpty()
              && request.resourceVersion().isEmpty())) {
        // nobody has seen the in-flight version yet, so any named version is stale
        current = current.deepCopy();
        current.withObject("metadata").put("resourceVersion", "pending");
      }
    } else {
      byte[] stored = objects.get(id);
      current =
          stored == null
              ? null
              : ((ResourceUpsert) codec.decodeData(EventType.RESOURCE_UPSERT, stored)).object();
    }
    String forbidden = trust.forbidden(request, current, this::stored, placements);
    ObjectWrites.Outcome outcome =
        forbidden != null
            ? null
            : ObjectWrites.apply(
                request, current, "", Instant.ofEpochMilli(context.currentSystemTimeMs()));
    if (forbidden == null && outcome.change() instanceof ObjectWrites.Upsert upsert) {
      forbidden =
          trust.restriction().forbiddenChange(request.node(), request, current, upsert.object());
    }
    if (forbidden != null) {
      trust.refuseWrite(context, nodes, request, forbidden);
      return;
    }
    AppliedWrites.log(request, outcome.code(), "");
    ObjectKey key = request.key();
    WriteOrigin origin = new WriteOrigin(request.requestId(), request.node(), outcome.code());
    if (outcome.change() instanceof ObjectWrites.Upsert upsert) {
      ObjectNode object = upsert.object();
      object.withObject("metadata").remove("resourceVersion"); // the record's offset sets it
      pending.put(id, new Pending(request.requestId(), object).encode());
      writeResource(key, new ResourceUpsert(key, "", object), origin, timestamp);
    } else if (outcome.change() instanceof ObjectWrites.Delete) {
      pending.put(id, new Pending(request.requestId(), null).encode());
      writeResource(key, new ResourceDelete(key, ""), origin, timestamp);
    } else {
      RouterOutputs.answer(
          context,
          nodes,
          request.node(),
          new WriteResponse(request.requestId(), outcome.code(), outcome.body()));
    }
  }

  /** Whether the store holds {@code key}'s object or a write of it is pending. */
  private boolean held(ObjectKey key) {
    String id = Placement.identity(key);
    return objects.get(id) != null || pending.get(id) != null;
  }

  /** An object of the store, for decisions that read another object (a token's pod). */
  private ObjectNode stored(ObjectKey key) {
    byte[] bytes = objects.get(Placement.identity(key));
    return bytes == null
        ? null
        : ((ResourceUpsert) codec.decodeData(EventType.RESOURCE_UPSERT, bytes)).object();
  }

  /** Writes a change to the store: {@code origin} is the write it carries out, null for none. */
  private void writeResource(ObjectKey key, EventData data, WriteOrigin origin, long timestamp) {
    KedgeEvent event = KedgeEvent.of(SOURCE, key.toString(), data);
    RecordHeaders headers = new RecordHeaders();
    byte[] value = codec.encode(event, headers);
    if (origin != null) {
      origin.addTo(headers);
    }
    context.forward(
        new Record<String, Object>(key.toString(), value, timestamp, headers), RESOURCES_SINK);
  }

  private void deadLetter(Record<String, byte[]> record, String reason) {
    RouterOutputs.deadLetter(context, record, "applier", reason);
  }

  private void forgetOld(long now) {
    forgetOlderThan(applied, now - dedupeWindow.toMillis());
  }

  /** Forgets the request ids of {@code applied} first seen before {@code cutoff}. */
  static void forgetOlderThan(KeyValueStore<String, Long> applied, long cutoff) {
    try (KeyValueIterator<String, Long> it = applied.all()) {
      while (it.hasNext()) {
        var entry = it.next();
        if (entry.value < cutoff) {
          applied.delete(entry.key);
        }
      }
    }
  }

  /** A change written but not yet read back from the resources topic; null object: a delete. */
  record Pending(String requestId, ObjectNode object) {
    byte[] encode() {
      ObjectNode json = EventCodec.json().createObjectNode();
      json.put("requestId", requestId);
      json.set("object", object);
      return EventCodec.jsonBytes(json);
    }

    static Pending decode(byte[] bytes) {
      if (bytes == null) {
        return null;
      }
      try {
        JsonNode json = EventCodec.readJson(bytes);
        JsonNode object = json.get("object");
        return new Pending(
            json.path("requestId").asText(),
            object == null || object.isNull() ? null : (ObjectNode) object);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
