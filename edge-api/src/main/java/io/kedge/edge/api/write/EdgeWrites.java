package io.kedge.edge.api.write;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.view.ResourceType;
import io.kedge.edge.api.view.View;
import io.kedge.kube.authorization.NodeRestriction;
import io.kedge.kube.objects.KubeStatus;
import io.kedge.kube.objects.ObjectNames;
import io.kedge.kube.objects.ObjectWrites;
import io.kedge.kube.objects.OfflineAutonomy;
import io.kedge.schemas.EventData;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceDelete;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.WriteRequest;
import io.kedge.schemas.WriteResponse;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides and carries out writes made on the edge API.
 *
 * <ul>
 *   <li>Online, a write becomes a {@link WriteRequest} on the uplink and is answered with the
 *       cloud's {@link WriteResponse}: the real code and the object or Status. Once the changed
 *       object has come down into the VIEW it is returned with its edge resourceVersion, so a
 *       client reads its own write.
 *   <li>Offline, writes to cloud-owned objects fail fast (503, Retry-After); edge-owned writes
 *       (status subresources, Events, Leases, the node's own Node and CSINode) are applied to the
 *       node's log at once and forwarded later. The cloud applies those unconditionally: the edge
 *       owns them.
 *   <li>A client's resourceVersion is the edge's (a log index); it is checked against the VIEW and
 *       replaced by the cloud's version of the same object before forwarding.
 * </ul>
 */
public final class EdgeWrites {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeWrites.class);
  private static final URI SOURCE = URI.create("/kedge/edge/api");
  private static final long POLL_MILLIS = 5;

  /** A write as the HTTP layer parsed it; {@code name} is empty for a create. */
  public record Write(
      WriteOperation operation,
      ResourceType type,
      String namespace,
      String name,
      String subresource,
      String patchType,
      JsonNode body,
      boolean dryRun,
      String fieldManager,
      boolean force) {}

  private final String node;
  private final View view;
  private final WriteUplink uplink;
  private final Duration timeout;
  private final OfflineAutonomy autonomy;
  private final NodeRestriction restriction;
  private final ScheduledExecutorService timer;
  private final Clock clock;
  private final Map<String, CompletableFuture<WriteResponse>> pending = new ConcurrentHashMap<>();

  public EdgeWrites(
      String node,
      View view,
      WriteUplink uplink,
      Duration timeout,
      OfflineAutonomy autonomy,
      NodeRestriction restriction,
      ScheduledExecutorService timer,
      Clock clock) {
    this.node = node;
    this.view = view;
    this.uplink = uplink;
    this.timeout = timeout;
    this.autonomy = autonomy;
    this.restriction = restriction;
    this.timer = timer;
    this.clock = clock;
    view.onWriteResponse(this::answered);
  }

  /**
   * Why this node may not make this kind of write at all (an empty name: any), or null; for {@code
   * kubectl auth can-i}.
   */
  public String unauthorized(WriteOperation operation, ObjectKey key, String subresource) {
    return restriction.unauthorized(node, operation, key, subresource);
  }

  /** Requests forwarded and not yet answered. */
  public int pendingCount() {
    return pending.size();
  }

  private void answered(WriteResponse response) {
    CompletableFuture<WriteResponse> waiting = pending.remove(response.requestId());
    if (waiting != null) {
      waiting.complete(response);
    }
  }

  /** Carries out {@code write}; the reply never completes exceptionally. */
  public CompletableFuture<WriteReply> submit(Write write) {
    try {
      return decide(write);
    } catch (IllegalArgumentException e) {
      return done(KubeStatus.badRequest(e.getMessage()));
    }
  }

  private CompletableFuture<WriteReply> decide(Write write) {
    ResourceType type = write.type();
    JsonNode payload = write.body() == null ? null : write.body().deepCopy();
    String namespace = type.namespaced() ? write.namespace() : "";
    String name = write.name();
    if (write.operation() == WriteOperation.CREATE) {
      if (payload == null || !payload.isObject()) {
        return done(KubeStatus.badRequest("the body of a create must be a JSON object"));
      }
    }
    if (write.operation() == WriteOperation.CREATE && write.subresource().isEmpty()) {
      ObjectNode metadata = ((ObjectNode) payload).withObject("metadata");
      name = metadata.path("name").asText("");
      if (name.isEmpty() && !metadata.path("generateName").asText("").isEmpty()) {
        name = metadata.path("generateName").asText() + randomSuffix();
        metadata.put("name", name);
      }
      if (type.namespaced() && namespace.isEmpty()) {
        namespace = metadata.path("namespace").asText("default");
      }
      if (type.group().isEmpty() && type.kind().equals("Pod")) {
        payload = autonomy.apply((ObjectNode) payload);
      }
    }
    String resource = type.qualifiedPlural();
    String qualifiedKind = type.group().isEmpty() ? type.kind() : type.kind() + "." + type.group();
    if (name.isEmpty()) {
      return done(
          KubeStatus.invalid(
              qualifiedKind,
              name,
              "metadata.name: Required value: name or generateName is required"));
    }
    ObjectKey key = new ObjectKey(type.group(), type.version(), type.kind(), namespace, name);
    String badName = write.operation() == WriteOperation.CREATE ? ObjectNames.invalid(key) : null;
    if (badName != null) {
      return done(KubeStatus.invalid(qualifiedKind, name, badName));
    }
    Optional<View.Stored> stored = view.get(type, namespace, name);
    boolean edgeOwned = edgeOwned(type, write.subresource(), name);

    String requested = ObjectWrites.requestedVersion(write.operation(), payload);
    String cloudVersion = "";
    if (!requested.isEmpty() && stored.isPresent()) {
      if (!requested.equals(Long.toString(stored.get().resourceVersion()))) {
        return done(
            KubeStatus.conflict(
                resource,
                name,
                "the object has been modified; please apply your changes to the latest version and"
                    + " try again"));
      }
      cloudVersion = stored.get().cloudResourceVersion();
    }
    // Edge-owned objects are written unconditionally; others carry the cloud's version.
    setRequestedVersion(write.operation(), payload, edgeOwned ? "" : cloudVersion);
    WriteRequest request =
        new WriteRequest(
            "w-" + UUID.randomUUID(),
            node,
            write.operation(),
            key,
            write.subresource(),
            write.patchType(),
            payload,
            edgeOwned ? "" : cloudVersion,
            write.dryRun(),
            write.fieldManager(),
            write.force());
    String forbidden =
        restriction.forbidden(
            node,
            request,
            stored.map(View.Stored::object).orElse(null),
            this::held,
            (n, k) -> held(k) != null); // the node's view holds what its pods use
    if (forbidden != null) {
      LOG.info("node {}: {} {} refused: {}", node, write.operation(), key, forbidden);
      return done(NodeRestriction.status(key, forbidden));
    }

    if (!uplink.connected()) {
      if (edgeOwned) {
        return applyHere(type, request, stored, false);
      }
      ObjectNode status =
          KubeStatus.failure(
              503,
              "ServiceUnavailable",
              "the cloud link of node "
                  + node
                  + " is down: "
                  + (answersOtherKind(request)
                      ? resource + "/" + request.subresource() + " requests are answered"
                      : resource + " are written")
                  + " in the cloud, so this write cannot be made now; reads and watches"
                  + " keep working");
      // client-go retries a 503 with Retry-After up to 10 times: 1 s keeps kubectl's error quick
      return CompletableFuture.completedFuture(
          new WriteReply(503, status, Map.of("Retry-After", "1")));
    }
    return forward(type, request, stored, edgeOwned);
  }

  private CompletableFuture<WriteReply> forward(
      ResourceType type, WriteRequest request, Optional<View.Stored> stored, boolean edgeOwned) {
    CompletableFuture<WriteResponse> answer = new CompletableFuture<>();
    pending.put(request.requestId(), answer);
    try {
      uplink.forward(request);
    } catch (UplinkFullException e) {
      pending.remove(request.requestId());
      return full(e);
    } catch (RuntimeException e) {
      pending.remove(request.requestId());
      LOG.error("write {} cannot be queued for the cloud", request.requestId(), e);
      return done(
          KubeStatus.failure(
              500, "InternalError", "the write cannot be queued for the cloud: " + e.getMessage()));
    }
    var timeoutTask =
        timer.schedule(
            () -> answer.completeExceptionally(new TimeoutException()),
            timeout.toMillis(),
            TimeUnit.MILLISECONDS);
    // async: the answer completes on the VIEW's applier thread, which must not wait on anything
    return answer
        .handleAsync(
            (response, error) -> {
              timeoutTask.cancel(false);
              pending.remove(request.requestId());
              if (error == null) {
                return edgeOwned
                    ? keptHere(type, request, response)
                    : CompletableFuture.completedFuture(finish(type, request, response));
              }
              if (edgeOwned) {
                return applyHere(type, request, stored, true);
              }
              return done(
                  KubeStatus.failure(
                      504,
                      "Timeout",
                      "the cloud did not answer write "
                          + request.requestId()
                          + " within "
                          + timeout.toSeconds()
                          + " s; it stays queued and may still be applied"));
            },
            timer)
        .thenCompose(reply -> reply);
  }

  /**
   * The cloud's answer. The router sends an object down before the answer to the write that changed
   * it, so when the answer is applied the VIEW already holds the object if this node receives it:
   * it is returned with its edge resourceVersion, and the client reads its own write. Objects this
   * node does not receive are returned as the cloud has them.
   */
  private WriteReply finish(ResourceType type, WriteRequest request, WriteResponse response) {
    boolean ok = response.code() >= 200 && response.code() < 300;
    if (ok
        && request.dryRun()
        && response.body().isObject()
        && !KubeStatus.isStatus(response.body())) {
      // a dry run changes nothing: the object keeps the version this node's clients know
      ObjectNode body = ((ObjectNode) response.body()).deepCopy();
      ObjectKey key = request.key();
      view.get(type, key.namespace(), key.name())
          .ifPresent(
              stored ->
                  body.withObject("metadata")
                      .put("resourceVersion", Long.toString(stored.resourceVersion())));
      return WriteReply.of(response.code(), body);
    }
    if (!ok
        || request.dryRun()
        || !response.body().isObject() // a delete's answer is the object or a Status
        || KubeStatus.isStatus(response.body())
        || answersOtherKind(request)) {
      return WriteReply.of(response.code(), response.body());
    }
    ObjectKey key = request.key();
    String version = response.body().path("metadata").path("resourceVersion").asText("");
    JsonNode body =
        view.get(type, key.namespace(), key.name())
            .filter(stored -> stored.cloudResourceVersion().equals(version))
            .<JsonNode>map(View.Stored::object)
            .orElse(response.body());
    return WriteReply.of(response.code(), body);
  }

  /** A subresource with a kind of its own: a ServiceAccount's token answers a TokenRequest. */
  private static boolean answersOtherKind(WriteRequest request) {
    return !request.subresource().isEmpty() && !request.subresource().equals("status");
  }

  /**
   * The cloud's answer to an edge-owned write, with the result kept in the node's log when the
   * cloud does not send it down (in Kubernetes mode Leases, CSINodes and Events are not watched):
   * the node's agents then read back what they wrote, and write on it offline.
   */
  private CompletableFuture<WriteReply> keptHere(
      ResourceType type, WriteRequest request, WriteResponse response) {
    boolean ok = response.code() >= 200 && response.code() < 300;
    ObjectKey key = request.key();
    Optional<View.Stored> held = view.get(type, key.namespace(), key.name());
    EventData change = null;
    if (ok && !request.dryRun()) {
      if (request.operation() == WriteOperation.DELETE) {
        change = held.isPresent() ? new ResourceDelete(key, "") : null;
      } else if (response.body().isObject() && !KubeStatus.isStatus(response.body())) {
        String version = response.body().path("metadata").path("resourceVersion").asText("");
        boolean routed = held.isPresent() && held.get().cloudResourceVersion().equals(version);
        change = routed ? null : new ResourceUpsert(key, version, (ObjectNode) response.body());
      }
    }
    if (change == null) {
      return CompletableFuture.completedFuture(finish(type, request, response));
    }
    long index = uplink.applyLocally(KedgeEvent.of(SOURCE, key.toString(), change));
    return until(() -> view.resourceVersion() >= index, System.nanoTime() + timeout.toNanos())
        .thenApply(v -> finish(type, request, response));
  }

  /** Applies an edge-owned write to the node's log now; the cloud gets it through the uplink. */
  private CompletableFuture<WriteReply> applyHere(
      ResourceType type, WriteRequest request, Optional<View.Stored> stored, boolean forwarded) {
    ObjectWrites.Outcome outcome =
        ObjectWrites.apply(
            request, stored.map(View.Stored::object).orElse(null), "", clock.instant());
    if (outcome.change() instanceof ObjectWrites.Upsert upsert) {
      String forbidden =
          restriction.forbiddenChange(
              node, request, stored.map(View.Stored::object).orElse(null), upsert.object());
      if (forbidden != null) {
        return done(NodeRestriction.status(request.key(), forbidden));
      }
    }
    if (!outcome.succeeded() || outcome.change() instanceof ObjectWrites.None) {
      return CompletableFuture.completedFuture(WriteReply.of(outcome.code(), outcome.body()));
    }
    if (!forwarded) {
      try {
        uplink.forward(request); // first, so a crash cannot keep a change the cloud never gets
      } catch (UplinkFullException e) {
        return full(e);
      }
    }
    ObjectKey key = request.key();
    EventData change =
        outcome.change() instanceof ObjectWrites.Upsert upsert
            ? new ResourceUpsert(key, "", upsert.object())
            : new ResourceDelete(key, "");
    long index = uplink.applyLocally(KedgeEvent.of(SOURCE, key.toString(), change));
    LOG.info(
        "node {}: {} {} applied locally at log index {} (request {}), forwarded to the cloud",
        node,
        request.operation(),
        key,
        index,
        request.requestId());
    return until(() -> view.resourceVersion() >= index, System.nanoTime() + timeout.toNanos())
        .thenApply(
            v ->
                WriteReply.of(
                    outcome.code(),
                    view.get(type, key.namespace(), key.name())
                        .<JsonNode>map(View.Stored::object)
                        .orElse(outcome.body())));
  }

  /**
   * What the node's own agents write, accepted offline: status subresources, Events, Leases, and
   * this node's own Node and CSINode (a kubelet registers and labels its Node, a CSI registrar
   * updates its CSINode).
   */
  boolean edgeOwned(ResourceType type, String subresource, String name) {
    if (subresource.equals("status")) {
      return true;
    }
    String groupKind = type.group() + "/" + type.kind();
    return switch (groupKind) {
      case "/Event", "events.k8s.io/Event", "coordination.k8s.io/Lease" -> true;
      case "/Node", "storage.k8s.io/CSINode" -> name.equals(node);
      default -> false;
    };
  }

  /** An object this node holds, for the decisions that read another object (a token's pod). */
  private JsonNode held(ObjectKey key) {
    return view.types()
        .byKind(key.group(), key.version(), key.kind())
        .flatMap(type -> view.get(type, key.namespace(), key.name()))
        .<JsonNode>map(View.Stored::object)
        .orElse(null);
  }

  /** Replaces the client's (edge) version with the cloud's, or drops it when there is none. */
  private static void setRequestedVersion(
      WriteOperation operation, JsonNode payload, String version) {
    if (payload == null) {
      return;
    }
    if (payload.isArray()) {
      ArrayNode ops = (ArrayNode) payload;
      for (int i = ops.size() - 1; i >= 0; i--) {
        JsonNode op = ops.get(i);
        if (ObjectWrites.VERSION_PATH.equals(op.path("path").asText()) && op.has("value")) {
          if (version.isEmpty()) {
            ops.remove(i);
          } else {
            ((ObjectNode) op).put("value", version);
          }
        }
      }
      return;
    }
    if (!payload.isObject()) {
      return;
    }
    ObjectNode holder =
        operation == WriteOperation.DELETE
            ? (payload.has("preconditions")
                ? ((ObjectNode) payload).withObject("preconditions")
                : null)
            : (payload.has("metadata") ? ((ObjectNode) payload).withObject("metadata") : null);
    if (holder == null || !holder.has("resourceVersion")) {
      return;
    }
    if (version.isEmpty()) {
      holder.remove("resourceVersion");
    } else {
      holder.put("resourceVersion", version);
    }
  }

  private CompletableFuture<Void> until(BooleanSupplier condition, long deadlineNanos) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    poll(condition, deadlineNanos, done);
    return done;
  }

  private void poll(BooleanSupplier condition, long deadlineNanos, CompletableFuture<Void> done) {
    if (condition.getAsBoolean() || System.nanoTime() >= deadlineNanos) {
      done.complete(null);
    } else {
      timer.schedule(
          () -> poll(condition, deadlineNanos, done), POLL_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private static CompletableFuture<WriteReply> full(UplinkFullException e) {
    return CompletableFuture.completedFuture(
        new WriteReply(
            503,
            KubeStatus.failure(503, "ServiceUnavailable", e.getMessage()),
            Map.of("Retry-After", "1")));
  }

  private static CompletableFuture<WriteReply> done(ObjectNode status) {
    return CompletableFuture.completedFuture(WriteReply.of(status.path("code").asInt(500), status));
  }

  private static String randomSuffix() {
    String alphabet = "bcdfghjklmnpqrstvwxz2456789"; // Kubernetes' generateName alphabet
    StringBuilder suffix = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      suffix.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
    }
    return suffix.toString();
  }
}
