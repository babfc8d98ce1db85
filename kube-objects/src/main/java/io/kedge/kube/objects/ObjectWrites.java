package io.kedge.kube.objects;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flipkart.zjsonpatch.CompatibilityFlags;
import com.flipkart.zjsonpatch.JsonPatch;
import com.flipkart.zjsonpatch.JsonPatchApplicationException;
import com.flipkart.zjsonpatch.Operation;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.WriteRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * What a Kubernetes API server does with a write, as a pure decision: given the request and the
 * object held now, the resulting object (or deletion) and the answer, with the real codes — 201
 * created, 200, 404 NotFound, 409 AlreadyExists or Conflict on a stale resourceVersion, 400 and 422
 * for bad bodies. The caller stores the change and sends the answer.
 */
public final class ObjectWrites {
  private static final String JSON_PATCH = "application/json-patch+json";
  private static final String MERGE_PATCH = "application/merge-patch+json";
  private static final String STRATEGIC_PATCH = "application/strategic-merge-patch+json";

  private ObjectWrites() {}

  /** The store change a write makes. */
  public sealed interface Change permits Upsert, Delete, None {}

  /** The object now reads {@code object}. */
  public record Upsert(ObjectNode object) implements Change {}

  /** The object is gone. */
  public record Delete() implements Change {}

  /** Nothing changes (a rejected write, or a dry run). */
  public record None() implements Change {}

  /** The answer (HTTP code and the object or a {@code Status}) and the change to store. */
  public record Outcome(int code, JsonNode body, Change change) {
    public boolean succeeded() {
      return code >= 200 && code < 300;
    }
  }

  /**
   * Decides a write.
   *
   * @param current the object held now, with its {@code metadata.resourceVersion}, or null
   * @param nextVersion the resourceVersion the object gets if this write changes it
   * @param now the time a created object records as its creation
   */
  public static Outcome apply(
      WriteRequest request, ObjectNode current, String nextVersion, Instant now) {
    Objects.requireNonNull(nextVersion, "nextVersion");
    ObjectKey key = request.key();
    String resource = resourceName(key);
    if (current != null && ObjectDefaults.exist(key)) {
      // as kube-apiserver defaults what it reads from storage: an object stored before its
      // defaults were set is compared with them
      current = current.deepCopy();
      ObjectDefaults.fill(key, current);
    }
    try {
      Outcome outcome =
          switch (request.operation()) {
            case CREATE -> create(request, current, nextVersion, now, resource);
            case UPDATE -> update(request, current, nextVersion, now, resource);
            case PATCH ->
                request.patchType().equals(ServerSideApply.APPLY_PATCH)
                    ? applyPatch(request, current, nextVersion, now, resource)
                    : patch(request, current, nextVersion, now, resource);
            case DELETE -> delete(request, current, nextVersion, now, resource);
          };
      if (request.dryRun() && outcome.succeeded()) {
        return new Outcome(outcome.code(), outcome.body(), new None());
      }
      return outcome;
    } catch (IllegalArgumentException e) {
      return rejected(KubeStatus.invalid(qualifiedKind(key), key.name(), e.getMessage()));
    }
  }

  private static Outcome create(
      WriteRequest request, ObjectNode current, String version, Instant now, String resource) {
    ObjectKey key = request.key();
    if (request.subresource().equals("token")) {
      return rejected(
          KubeStatus.failure(
              405,
              "MethodNotAllowed",
              "serviceaccounts/token: this kedge cloud runs standalone, without a Kubernetes"
                  + " API to issue service account tokens: tokens are answered in Kubernetes mode"));
    }
    if (!request.subresource().isEmpty()) {
      return rejected(
          KubeStatus.failure(
              405,
              "MethodNotAllowed",
              "create is not allowed on the " + request.subresource() + " subresource"));
    }
    ObjectNode body = objectBody(request);
    if (body == null) {
      return rejected(KubeStatus.badRequest("the body of a create must be a JSON object"));
    }
    if (current != null) {
      return rejected(KubeStatus.alreadyExists(resource, key.name()));
    }
    String badName = ObjectNames.invalid(key);
    if (badName != null) {
      return rejected(KubeStatus.invalid(qualifiedKind(key), key.name(), badName));
    }
    ObjectNode object = body.deepCopy();
    ObjectDefaults.fill(key, object);
    String mismatch = identityMismatch(key, object);
    if (mismatch != null) {
      return rejected(KubeStatus.badRequest(mismatch));
    }
    ObjectNode metadata = object.withObject("metadata");
    metadata.put("name", key.name());
    if (!key.namespace().isEmpty()) {
      metadata.put("namespace", key.namespace());
    }
    metadata.remove("generateName");
    if (metadata.path("uid").asText("").isEmpty()) {
      metadata.put(
          "uid",
          UUID.nameUUIDFromBytes(request.requestId().getBytes(StandardCharsets.UTF_8)).toString());
    }
    metadata.put("creationTimestamp", KubeTime.of(now));
    metadata.put("resourceVersion", version);
    metadata.put("generation", 1);
    fillIdentity(key, object);
    metadata.remove("managedFields");
    ManagedFields.recordUpdate(null, object, request.fieldManager(), "", key.apiVersion(), now);
    return new Outcome(201, object, new Upsert(object));
  }

  private static Outcome update(
      WriteRequest request, ObjectNode current, String version, Instant now, String resource) {
    ObjectKey key = request.key();
    ObjectNode body = objectBody(request);
    if (body == null) {
      return rejected(KubeStatus.badRequest("the body of an update must be a JSON object"));
    }
    if (current == null) {
      return rejected(KubeStatus.notFound(resource, key.name()));
    }
    String mismatch = identityMismatch(key, body);
    if (mismatch != null) {
      return rejected(KubeStatus.badRequest(mismatch));
    }
    Outcome stale =
        staleCheck(
            request, body.path("metadata").path("resourceVersion").asText(""), current, resource);
    if (stale != null) {
      return stale;
    }
    ObjectNode next;
    if (request.subresource().equals("status")) {
      next = current.deepCopy();
      if (body.has("status")) {
        next.set("status", body.get("status").deepCopy());
      } else {
        next.remove("status");
      }
    } else {
      next = body.deepCopy();
      if (current.has("status")) {
        next.set("status", current.get("status").deepCopy()); // status changes go through /status
      }
    }
    return changed(request, current, next, version, now, true);
  }

  /**
   * Server-side apply: creates the object from the configuration when there is none, else merges it
   * as {@link ServerSideApply} decides.
   */
  private static Outcome applyPatch(
      WriteRequest request, ObjectNode current, String version, Instant now, String resource) {
    ObjectKey key = request.key();
    if (request.fieldManager().isEmpty()) {
      return rejected(
          KubeStatus.invalid(
              "PatchOptions.meta.k8s.io",
              "",
              "fieldManager: Required value: is required for apply patch"));
    }
    if (request.body() == null || !request.body().isObject()) {
      return rejected(KubeStatus.badRequest("an apply patch must be an object"));
    }
    ObjectNode config = (ObjectNode) request.body();
    if (config.path("apiVersion").asText("").isEmpty()
        || config.path("kind").asText("").isEmpty()) {
      return rejected(
          KubeStatus.badRequest(
              "an apply patch must set apiVersion and kind ("
                  + key.apiVersion()
                  + ", "
                  + key.kind()
                  + ")"));
    }
    String mismatch = identityMismatch(key, config);
    if (mismatch != null) {
      return rejected(KubeStatus.invalid(qualifiedKind(key), key.name(), mismatch));
    }
    if (current == null) {
      if (!request.subresource().isEmpty()) {
        return rejected(KubeStatus.notFound(resource, key.name()));
      }
      ObjectNode object = config.deepCopy();
      object.remove("status");
      Outcome created =
          create(
              new WriteRequest(
                  request.requestId(),
                  request.node(),
                  WriteOperation.CREATE,
                  key,
                  "",
                  "",
                  object,
                  "",
                  request.dryRun(),
                  request.fieldManager()),
              null,
              version,
              now,
              resource);
      if (created.change() instanceof Upsert upsert) {
        ManagedFields.write(
            upsert.object(),
            java.util.List.of(
                new ManagedFields.Entry(
                    request.fieldManager(),
                    "Apply",
                    config.path("apiVersion").asText(),
                    "",
                    KubeTime.of(now),
                    FieldSet.of(config, "spec"))));
      }
      return created;
    }
    Outcome stale =
        staleCheck(
            request, config.path("metadata").path("resourceVersion").asText(""), current, resource);
    if (stale != null) {
      return stale;
    }
    ServerSideApply.Result applied = ServerSideApply.apply(request, current, config, now);
    if (applied.refusal() != null) {
      return rejected(applied.refusal());
    }
    return changed(request, current, applied.object(), version, now, false);
  }

  private static Outcome patch(
      WriteRequest request, ObjectNode current, String version, Instant now, String resource) {
    ObjectKey key = request.key();
    JsonNode patch = request.body();
    if (patch == null || patch.isNull() || patch.isMissingNode()) {
      return rejected(KubeStatus.badRequest("a patch needs a body"));
    }
    if (current == null) {
      return rejected(KubeStatus.notFound(resource, key.name()));
    }
    JsonNode patched;
    switch (request.patchType()) {
      case JSON_PATCH -> {
        if (!patch.isArray()) {
          return rejected(KubeStatus.badRequest("a JSON patch must be a JSON array of operations"));
        }
        try {
          patched = jsonPatch(current, (ArrayNode) patch);
        } catch (JsonPatchApplicationException e) {
          return rejected(
              KubeStatus.invalid(
                  qualifiedKind(key),
                  key.name(),
                  "the JSON patch cannot be applied: " + e.getMessage()));
        }
      }
      case MERGE_PATCH -> {
        if (!patch.isObject()) {
          return rejected(KubeStatus.badRequest("a merge patch must be a JSON object"));
        }
        patched = MergePatch.apply(current, patch);
      }
      case STRATEGIC_PATCH -> {
        if (!ApplySchema.isBuiltIn(key.apiVersion(), key.kind())) {
          // as kube-apiserver answers for custom resources; clients fall back to a merge patch
          return rejected(
              KubeStatus.failure(
                  415,
                  "UnsupportedMediaType",
                  "the body of the request was in an unknown format - accepted media types"
                      + " include: "
                      + JSON_PATCH
                      + ", "
                      + MERGE_PATCH
                      + ", "
                      + ServerSideApply.APPLY_PATCH));
        }
        patched = StrategicMergePatch.apply(current, patch);
      }
      default -> {
        return rejected(
            KubeStatus.failure(
                415,
                "UnsupportedMediaType",
                "the patch type '"
                    + request.patchType()
                    + "' is not supported: use "
                    + JSON_PATCH
                    + ", "
                    + MERGE_PATCH
                    + " or "
                    + STRATEGIC_PATCH));
      }
    }
    if (!patched.isObject()) {
      return rejected(
          KubeStatus.invalid(qualifiedKind(key), key.name(), "the patch does not leave an object"));
    }
    ObjectNode next = (ObjectNode) patched;
    String mismatch = identityMismatch(key, next);
    if (mismatch != null) {
      return rejected(KubeStatus.invalid(qualifiedKind(key), key.name(), mismatch));
    }
    String requested = next.path("metadata").path("resourceVersion").asText("");
    if (!requested.equals(current.path("metadata").path("resourceVersion").asText(""))) {
      Outcome stale = staleCheck(request, requested, current, resource);
      if (stale != null) {
        return stale;
      }
    }
    if (request.subresource().equals("status")) {
      ObjectNode statusOnly = current.deepCopy();
      if (next.has("status")) {
        statusOnly.set("status", next.get("status"));
      } else {
        statusOnly.remove("status");
      }
      next = statusOnly;
    }
    return changed(request, current, next, version, now, true);
  }

  private static Outcome delete(
      WriteRequest request, ObjectNode current, String version, Instant now, String resource) {
    ObjectKey key = request.key();
    if (SystemNamespaces.immortal(key)) { // admission, before the object is looked up
      return rejected(
          KubeStatus.forbidden(resource, key.name(), "this namespace may not be deleted"));
    }
    if (current == null) {
      return rejected(KubeStatus.notFound(resource, key.name()));
    }
    JsonNode body = request.body();
    String precondition =
        body == null ? "" : body.path("preconditions").path("resourceVersion").asText("");
    Outcome stale = staleCheck(request, precondition, current, resource);
    if (stale != null) {
      return stale;
    }
    String uid = body == null ? "" : body.path("preconditions").path("uid").asText("");
    if (!uid.isEmpty() && !uid.equals(current.path("metadata").path("uid").asText(""))) {
      return rejected(
          KubeStatus.conflict(
              resource,
              key.name(),
              "Precondition failed: UID in precondition: "
                  + uid
                  + ", UID in object meta: "
                  + current.path("metadata").path("uid").asText("")));
    }
    boolean finalizers = !current.path("metadata").path("finalizers").isEmpty();
    if (GracefulDeletion.applies(key)) {
      GracefulDeletion.Decision decision = GracefulDeletion.decide(current, body, now);
      if (decision instanceof GracefulDeletion.Pending) {
        return new Outcome(200, current.deepCopy(), new None());
      }
      if (decision instanceof GracefulDeletion.Mark mark && (mark.seconds() > 0 || finalizers)) {
        ObjectNode marked = GracefulDeletion.marked(current, mark, version);
        return new Outcome(200, marked, new Upsert(marked));
      }
      // otherwise deleted now, as any object
    }
    if (finalizers) {
      // kept until its finalizers are gone: marked, and removed by the write that empties them
      if (current.path("metadata").has("deletionTimestamp")) {
        return new Outcome(200, current.deepCopy(), new None());
      }
      ObjectNode marked = current.deepCopy();
      marked
          .withObject("metadata")
          .put("deletionTimestamp", KubeTime.of(now))
          .put("deletionGracePeriodSeconds", 0)
          .put("resourceVersion", version);
      return new Outcome(200, marked, new Upsert(marked));
    }
    return new Outcome(200, current.deepCopy(), new Delete());
  }

  /**
   * Applies operation by operation, so that a remove or replace of a missing location fails as RFC
   * 6902 requires (the library alone ignores a missing field on remove).
   */
  private static JsonNode jsonPatch(ObjectNode current, ArrayNode patch) {
    JsonNode document = current;
    for (JsonNode operation : patch) {
      String op = operation.path("op").asText("");
      String path = operation.path("path").asText("");
      if ((op.equals("remove") || op.equals("replace"))
          && document.at(JsonPointer.compile(path)).isMissingNode()) {
        throw new JsonPatchApplicationException(
            op + " of the missing location " + path, Operation.fromRfcName(op), null);
      }
      ArrayNode single = patch.arrayNode().add(operation);
      document = JsonPatch.apply(single, document, EnumSet.noneOf(CompatibilityFlags.class));
    }
    return document;
  }

  /** 409 when the client based its write on a version that is no longer current. */
  private static Outcome staleCheck(
      WriteRequest request, String requested, ObjectNode current, String resource) {
    if (requested.isEmpty()) {
      requested = request.resourceVersion();
    }
    String held = current.path("metadata").path("resourceVersion").asText("");
    if (!requested.isEmpty() && !held.isEmpty() && !requested.equals(held)) {
      return rejected(
          KubeStatus.conflict(
              resource,
              request.key().name(),
              "the object has been modified; please apply your changes to the latest version and try again"));
    }
    return null;
  }

  /**
   * The outcome of a write that leaves {@code next}: server-owned metadata kept, managed fields
   * recorded (for every write but apply, which records its own), generation counted.
   */
  private static Outcome changed(
      WriteRequest request,
      ObjectNode current,
      ObjectNode next,
      String version,
      Instant now,
      boolean recordUpdate) {
    ObjectKey key = request.key();
    ObjectDefaults.fill(key, next);
    ObjectNode metadata = next.withObject("metadata");
    JsonNode held = current.path("metadata");
    for (String kept :
        new String[] {
          "uid",
          "creationTimestamp",
          "namespace",
          "name",
          "deletionTimestamp",
          "deletionGracePeriodSeconds"
        }) {
      if (held.has(kept)) {
        metadata.set(kept, held.get(kept).deepCopy());
      } else {
        metadata.remove(kept); // set by the server only
      }
    }
    fillIdentity(key, next);
    String forbidden = UpdateRules.forbidden(key, request.subresource(), current, next);
    if (forbidden != null) {
      throw new IllegalArgumentException(forbidden);
    }
    if (held.has("deletionTimestamp")) {
      for (JsonNode finalizer : metadata.path("finalizers")) {
        if (!containsText(held.path("finalizers"), finalizer.asText())) {
          throw new IllegalArgumentException(
              "metadata.finalizers: Forbidden: no new finalizers can be added if the object is"
                  + " being deleted, found new finalizers [\""
                  + finalizer.asText()
                  + "\"]");
        }
      }
      if (metadata.path("finalizers").isEmpty()
          && held.path("deletionGracePeriodSeconds").asLong(0) == 0) {
        // the last finalizer is gone; a pod in its grace period waits for its node's agent
        return new Outcome(200, next, new Delete());
      }
    }
    if (recordUpdate) {
      ManagedFields.recordUpdate(
          current, next, request.fieldManager(), request.subresource(), key.apiVersion(), now);
    }
    ObjectNode comparable = next.deepCopy();
    copyField(held, comparable.withObject("metadata"), "resourceVersion");
    copyField(held, comparable.withObject("metadata"), "generation");
    if (comparable.equals(current)) {
      return new Outcome(200, current.deepCopy(), new None()); // a no-op write keeps its version
    }
    long generation = held.path("generation").asLong(0);
    boolean specChanged = !Objects.equals(current.get("spec"), next.get("spec"));
    metadata.put("generation", specChanged || generation == 0 ? generation + 1 : generation);
    metadata.put("resourceVersion", version);
    return new Outcome(200, next, new Upsert(next));
  }

  private static boolean containsText(JsonNode array, String text) {
    for (JsonNode item : array) {
      if (item.asText().equals(text)) {
        return true;
      }
    }
    return false;
  }

  private static void copyField(JsonNode from, ObjectNode to, String field) {
    if (from.has(field)) {
      to.set(field, from.get(field).deepCopy());
    } else {
      to.remove(field);
    }
  }

  /** A message when the body names another object than the URL, else null. */
  private static String identityMismatch(ObjectKey key, ObjectNode object) {
    JsonNode metadata = object.path("metadata");
    String name = metadata.path("name").asText("");
    if (!name.isEmpty() && !name.equals(key.name())) {
      return "the name of the object ("
          + name
          + ") does not match the name on the URL ("
          + key.name()
          + ")";
    }
    String namespace = metadata.path("namespace").asText("");
    if (!namespace.isEmpty() && !namespace.equals(key.namespace())) {
      return "the namespace of the object ("
          + namespace
          + ") does not match the namespace on the URL ("
          + key.namespace()
          + ")";
    }
    String kind = object.path("kind").asText("");
    if (!kind.isEmpty() && !kind.equals(key.kind())) {
      return "the kind of the object ("
          + kind
          + ") does not match the kind served here ("
          + key.kind()
          + ")";
    }
    String apiVersion = object.path("apiVersion").asText("");
    if (!apiVersion.isEmpty() && !apiVersion.equals(key.apiVersion())) {
      return "the apiVersion of the object (" + apiVersion + ") does not match " + key.apiVersion();
    }
    return null;
  }

  private static void fillIdentity(ObjectKey key, ObjectNode object) {
    object.put("apiVersion", key.apiVersion());
    object.put("kind", key.kind());
  }

  private static ObjectNode objectBody(WriteRequest request) {
    return request.body() != null && request.body().isObject() ? (ObjectNode) request.body() : null;
  }

  private static Outcome rejected(ObjectNode status) {
    return new Outcome(status.path("code").asInt(500), status, new None());
  }

  /** Where a JSON patch names the version it was based on. */
  public static final String VERSION_PATH = "/metadata/resourceVersion";

  /**
   * The resourceVersion a write's body says it was based on: in the object, in a delete's
   * preconditions, or in a JSON patch operation on {@link #VERSION_PATH}; empty when it names none.
   */
  public static String requestedVersion(WriteOperation operation, JsonNode body) {
    if (body == null) {
      return "";
    }
    if (body.isArray()) {
      for (JsonNode op : body) {
        if (VERSION_PATH.equals(op.path("path").asText()) && op.has("value")) {
          return op.path("value").asText("");
        }
      }
      return "";
    }
    return operation == WriteOperation.DELETE
        ? body.path("preconditions").path("resourceVersion").asText("")
        : body.path("metadata").path("resourceVersion").asText("");
  }

  /** The kind with its group, as kube-apiserver names it in a 422, e.g. {@code Pod}. */
  public static String qualifiedKind(ObjectKey key) {
    return key.group().isEmpty() ? key.kind() : key.kind() + "." + key.group();
  }

  /** The lower-case plural Kubernetes names a kind by in messages, e.g. {@code pods}. */
  public static String resourceName(ObjectKey key) {
    String kind = key.kind().toLowerCase(Locale.ROOT);
    String plural;
    if (kind.endsWith("s") || kind.endsWith("x") || kind.endsWith("ch") || kind.endsWith("sh")) {
      plural = kind.equals("endpoints") ? kind : kind + "es";
    } else if (kind.endsWith("y") && !kind.matches(".*[aeiou]y$")) {
      plural = kind.substring(0, kind.length() - 1) + "ies";
    } else {
      plural = kind + "s";
    }
    return key.group().isEmpty() ? plural : plural + "." + key.group();
  }
}
