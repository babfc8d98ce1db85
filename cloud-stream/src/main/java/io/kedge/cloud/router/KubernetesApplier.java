package io.kedge.cloud.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.cloud.kube.KubeWrites;
import io.kedge.kube.objects.KubeStatus;
import io.kedge.kube.objects.ObjectWrites;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.EventType;
import io.kedge.schemas.InvalidEventException;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.WriteRequest;
import io.kedge.schemas.WriteResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UPLINK APPLIER in Kubernetes mode: applies each edge write to the cluster and answers with
 * the API server's result.
 *
 * <p>A successful change is answered only once the router has routed the version it made (the
 * informers bring it back through {@code kedge.resources}), so the object reaches its node before
 * the answer and the edge client reads its own write, as in standalone mode. Changes to kinds the
 * informers do not watch are answered after {@code readBackWait} with the API server's object.
 * Request ids seen before are dropped: a request is applied and answered once (unless the process
 * dies between the API call and its commit, when Kubernetes' own checks, 409 on a repeated create
 * or a stale resourceVersion, meet the repetition).
 */
final class KubernetesApplier implements Processor<String, byte[], String, Object> {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesApplier.class);

  static final String AWAITING = "kube-applier-awaiting";

  private final KubeWrites writes;
  private final NodeTrust trust;
  private KeyValueStore<String, byte[]> objects;
  private final Duration dedupeWindow;
  private final Duration readBackWait;
  private final EventCodec codec = new EventCodec();
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, Long> applied;
  private KeyValueStore<String, String> nodes;
  private KeyValueStore<String, String> placements;
  private KeyValueStore<String, byte[]> awaiting;

  /**
   * @param trust what a node may write: others are answered 403 and counted, never sent to the
   *     cluster
   */
  KubernetesApplier(
      KubeWrites writes, Duration dedupeWindow, Duration readBackWait, NodeTrust trust) {
    this.trust = trust;
    this.writes = writes;
    this.dedupeWindow = dedupeWindow;
    this.readBackWait = readBackWait;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.applied = context.getStateStore(UplinkApplier.APPLIED);
    this.nodes = context.getStateStore(RouteProcessor.NODES);
    this.awaiting = context.getStateStore(AWAITING);
    this.objects = context.getStateStore(RouteProcessor.OBJECTS);
    this.placements = context.getStateStore(Holdings.PLACEMENTS);
    context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, this::answerLate);
    context.schedule(Duration.ofMinutes(10), PunctuationType.WALL_CLOCK_TIME, this::forgetOld);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (record.value() == null
        || !UpstreamRequestFilter.is(record.headers(), EventType.WRITE_REQUEST)) {
      return;
    }
    WriteRequest request;
    try {
      request = codec.decode(record.headers(), record.value()).dataAs(WriteRequest.class);
    } catch (InvalidEventException | ClassCastException e) {
      RouterOutputs.deadLetter(context, record, "kubernetes-applier", e.getMessage());
      return;
    }
    if (applied.get(request.requestId()) != null) {
      AppliedWrites.duplicate(request);
      return;
    }
    applied.put(request.requestId(), context.currentSystemTimeMs());
    String forbidden = forbidden(request);
    if (forbidden != null) {
      trust.refuseWrite(context, nodes, request, forbidden);
      return;
    }
    KubeWrites.Result result = writes.apply(request);
    AppliedWrites.log(request, result.code(), "Kubernetes");
    // a token request changes no object: its answer (holding the token) goes back at once
    boolean change =
        result.succeeded()
            && !request.dryRun()
            && (request.subresource().isEmpty() || request.subresource().equals("status"));
    String id = Placement.identity(request.key());
    if (change && !KubeStatus.isStatus(result.body())) {
      String version = result.body().path("metadata").path("resourceVersion").asText("");
      awaiting.put(id, new Awaiting(request, result, version, now()).encode());
    } else if (change && request.operation() == WriteOperation.DELETE) {
      awaiting.put(id, new Awaiting(request, result, "", now()).encode());
    } else {
      respond(request.node(), new WriteResponse(request.requestId(), result.code(), result.body()));
    }
  }

  /**
   * Why the node may not make {@code request}: decided on the objects the informers brought, and
   * for a change to a routed object (its Node, a pod's status) on the object it would make.
   */
  private String forbidden(WriteRequest request) {
    ObjectNode current = stored(request.key());
    String why = trust.forbidden(request, current, this::stored, placements);
    if (why != null || current == null || request.operation() == WriteOperation.CREATE) {
      return why;
    }
    ObjectWrites.Outcome outcome =
        ObjectWrites.apply(
            request, current, "", java.time.Instant.ofEpochMilli(context.currentSystemTimeMs()));
    return outcome.change() instanceof ObjectWrites.Upsert upsert
        ? trust.restriction().forbiddenChange(request.node(), request, current, upsert.object())
        : null;
  }

  private ObjectNode stored(io.kedge.schemas.ObjectKey key) {
    byte[] bytes = objects.get(Placement.identity(key));
    return bytes == null
        ? null
        : ((io.kedge.schemas.ResourceUpsert) codec.decodeData(EventType.RESOURCE_UPSERT, bytes))
            .object();
  }

  /**
   * The write awaiting version {@code version} of object {@code id} ({@code ""}: its deletion), or
   * null when none does.
   */
  static Awaiting awaited(KeyValueStore<String, byte[]> awaiting, String id, String version) {
    byte[] bytes = awaiting.get(id);
    if (bytes == null) {
      return null;
    }
    Awaiting waiting = Awaiting.decode(bytes);
    return waiting.version().equals(version) ? waiting : null;
  }

  /**
   * Called by the router once it has routed the version of object {@code id} that {@code waiting}
   * awaited: answers the write that made it. {@code object} is the routed object, null for a
   * delete.
   */
  static void routed(
      ProcessorContext<String, Object> context,
      KeyValueStore<String, String> nodes,
      KeyValueStore<String, byte[]> awaiting,
      String id,
      Awaiting waiting,
      ObjectNode object) {
    awaiting.delete(id);
    JsonNode body = object == null ? waiting.body() : object;
    RouterOutputs.answer(
        context,
        nodes,
        waiting.node(),
        new WriteResponse(waiting.requestId(), waiting.code(), body));
  }

  private void answerLate(long now) {
    Map<String, Awaiting> late = new LinkedHashMap<>();
    try (KeyValueIterator<String, byte[]> it = awaiting.all()) {
      while (it.hasNext()) {
        var entry = it.next();
        Awaiting waiting = Awaiting.decode(entry.value);
        if (waiting.since() < now - readBackWait.toMillis()) {
          late.put(entry.key, waiting);
        }
      }
    }
    for (Map.Entry<String, Awaiting> entry : late.entrySet()) {
      String id = entry.getKey();
      Awaiting waiting = entry.getValue();
      awaiting.delete(id);
      LOG.info(
          "write {}: {} not read back from the informers within {} s; answered with the API's object",
          waiting.requestId(),
          id,
          readBackWait.toSeconds());
      respond(
          waiting.node(), new WriteResponse(waiting.requestId(), waiting.code(), waiting.body()));
    }
  }

  private void respond(String node, WriteResponse response) {
    RouterOutputs.answer(context, nodes, node, response);
  }

  private long now() {
    return context.currentSystemTimeMs();
  }

  private void forgetOld(long now) {
    UplinkApplier.forgetOlderThan(applied, now - dedupeWindow.toMillis());
  }

  /** An applied write waiting for its version to be routed; empty version: a delete. */
  record Awaiting(
      String requestId, String node, int code, JsonNode body, String version, long since) {
    Awaiting(WriteRequest request, KubeWrites.Result result, String version, long since) {
      this(request.requestId(), request.node(), result.code(), result.body(), version, since);
    }

    byte[] encode() {
      ObjectNode json = EventCodec.json().createObjectNode();
      json.put("requestId", requestId).put("node", node).put("code", code);
      json.put("version", version).put("since", since);
      json.set("body", body);
      return EventCodec.jsonBytes(json);
    }

    static Awaiting decode(byte[] bytes) {
      JsonNode json = read(bytes);
      return new Awaiting(
          json.path("requestId").asText(),
          json.path("node").asText(),
          json.path("code").asInt(),
          json.path("body"),
          json.path("version").asText(),
          json.path("since").asLong());
    }

    private static JsonNode read(byte[] bytes) {
      try {
        return EventCodec.readJson(bytes);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
