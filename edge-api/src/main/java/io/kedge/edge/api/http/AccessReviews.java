package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.view.ResourceType;
import io.kedge.edge.api.view.ResourceTypes;
import io.kedge.kube.authorization.NodeRestriction;
import io.kedge.kube.objects.KubeStatus;
import io.kedge.schemas.EventCodec;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * {@code SelfSubjectAccessReview} and {@code SelfSubjectRulesReview} ({@code kubectl auth can-i},
 * {@code can-i --list}), answered from what this edge API itself allows its authenticated clients:
 * reads of every served kind; writes when the API forwards writes, with the verbs it serves; the
 * discovery, health and OpenAPI paths for GET. And {@code SelfSubjectReview} ({@code kubectl auth
 * whoami}): every client of an edge API acts as its node (its writes reach the cloud as the node's,
 * and node authorization decides them), so the answer is the node's identity, named as
 * kube-apiserver names a kubelet's. A kubelet's {@code TokenReview} and {@code SubjectAccessReview}
 * are answered by {@link DelegatedReviews}.
 */
final class AccessReviews {
  static final Set<String> READ_VERBS = Set.of("get", "list", "watch");
  static final Set<String> WRITE_VERBS = Set.of("create", "update", "patch", "delete");
  private static final List<String> NON_RESOURCE_PATHS =
      List.of(
          "/api",
          "/api/*",
          "/apis",
          "/apis/*",
          "/version",
          "/healthz",
          "/livez",
          "/readyz",
          "/openapi/*");

  /** A review this class answers: created, never stored (discovery lists them, version v1). */
  record Review(String group, String plural, String kind) {}

  static final List<Review> REVIEWS =
      List.of(
          new Review("authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview"),
          new Review("authorization.k8s.io", "selfsubjectrulesreviews", "SelfSubjectRulesReview"),
          new Review("authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview"),
          new Review("authentication.k8s.io", "tokenreviews", "TokenReview"),
          new Review("authorization.k8s.io", "subjectaccessreviews", "SubjectAccessReview"));

  private final ResourceTypes types;
  private final boolean writable;
  private final io.kedge.edge.api.write.EdgeWrites writes;
  private final String node;
  private final DelegatedReviews delegated;

  /**
   * @param writes the API's writes, which say what this node may write; null: read-only
   * @param security the tokens the API accepts, which token reviews check
   * @param node the node this edge API serves
   */
  AccessReviews(
      ResourceTypes types,
      io.kedge.edge.api.write.EdgeWrites writes,
      ApiSecurity security,
      String node) {
    this.types = types;
    this.writable = writes != null;
    this.writes = writes;
    this.node = node;
    this.delegated = new DelegatedReviews(this, security, node);
  }

  /** The review {@code group}/{@code version} {@code resource} names, if this class answers it. */
  static Optional<Review> review(String group, String version, String resource) {
    return REVIEWS.stream()
        .filter(r -> version.equals("v1") && r.group().equals(group) && r.plural().equals(resource))
        .findFirst();
  }

  /** A decision and why, as {@code SubjectAccessReviewStatus} reports it. */
  record Decision(boolean allowed, String reason) {}

  /**
   * Answers {@code kubectl auth can-i} and {@code whoami}, and a kubelet's delegated token and
   * access reviews: the review with its status (201).
   */
  FullHttpResponse answer(ByteBufAllocator alloc, FullHttpRequest request, Review asked) {
    if (!request.method().equals(HttpMethod.POST)) {
      return Responses.json(
          alloc,
          HttpResponseStatus.METHOD_NOT_ALLOWED,
          KubeStatus.failure(405, "MethodNotAllowed", asked.plural() + " can only be created"));
    }
    String mediaType = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "").split(";")[0].trim();
    JsonNode body = WriteRequests.body(request.content(), mediaType);
    ObjectNode answer =
        switch (asked.kind()) {
          case "SelfSubjectReview" -> whoami(body);
          case "TokenReview" -> delegated.tokenReview(body);
          case "SubjectAccessReview" -> delegated.subjectAccessReview(body);
          default -> review(asked.kind(), body);
        };
    return Responses.json(alloc, HttpResponseStatus.CREATED, answer);
  }

  /**
   * The {@code SelfSubjectReview} with its {@code status.userInfo}: the node's user and groups.
   *
   * @throws IllegalArgumentException (a 400) for a body that is not a JSON object
   */
  ObjectNode whoami(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw new IllegalArgumentException("the body of a SelfSubjectReview must be a JSON object");
    }
    ObjectNode review = ((ObjectNode) body).deepCopy();
    review.put("apiVersion", "authentication.k8s.io/v1").put("kind", "SelfSubjectReview");
    review.withObject("metadata");
    ObjectNode user = review.putObject("status").putObject("userInfo");
    if (node.isEmpty()) { // a read-only API serving no node (tests, benchmarks)
      user.putArray("groups").add("system:authenticated");
    } else {
      user.put("username", "system:node:" + node);
      user.putArray("groups").add("system:nodes").add("system:authenticated");
    }
    return review;
  }

  /**
   * The review with its {@code status}.
   *
   * @throws IllegalArgumentException (a 400) for a body that is not a review of this kind
   */
  ObjectNode review(String kind, JsonNode body) {
    if (body == null || !body.isObject()) {
      throw new IllegalArgumentException("the body of a " + kind + " must be a JSON object");
    }
    ObjectNode review = ((ObjectNode) body).deepCopy();
    review.put("apiVersion", "authorization.k8s.io/v1").put("kind", kind);
    review.withObject("metadata");
    if (kind.equals("SelfSubjectRulesReview")) {
      review.set("status", rules(review.path("spec").path("namespace").asText("")));
      return review;
    }
    JsonNode spec = review.path("spec");
    Decision decision;
    if (spec.has("resourceAttributes")) {
      JsonNode attributes = spec.path("resourceAttributes");
      decision =
          decide(
              attributes.path("verb").asText(""),
              attributes.path("group").asText(""),
              attributes.path("resource").asText(""),
              attributes.path("subresource").asText(""),
              attributes.path("namespace").asText(""),
              attributes.path("name").asText(""));
    } else if (spec.has("nonResourceAttributes")) {
      JsonNode attributes = spec.path("nonResourceAttributes");
      decision =
          decideNonResource(attributes.path("verb").asText(""), attributes.path("path").asText(""));
    } else {
      throw new IllegalArgumentException(
          "spec.resourceAttributes or spec.nonResourceAttributes is required");
    }
    ObjectNode status = review.putObject("status").put("allowed", decision.allowed());
    status.put("reason", decision.reason());
    return review;
  }

  Decision decide(String verb, String group, String resource, String subresource) {
    return decide(verb, group, resource, subresource, "", "");
  }

  Decision decide(
      String verb,
      String group,
      String resource,
      String subresource,
      String namespace,
      String name) {
    Optional<ResourceType> type =
        types.all().stream()
            .filter(t -> t.group().equals(group) && t.plural().equals(resource))
            .findFirst();
    if (type.isEmpty() && !verb.equals("*")) {
      return new Decision(
          false,
          "this edge API does not serve " + (group.isEmpty() ? resource : resource + "." + group));
    }
    boolean token =
        subresource.equals("token")
            && type.isPresent()
            && type.get().group().isEmpty()
            && type.get().kind().equals("ServiceAccount");
    if (!subresource.isEmpty() && !subresource.equals("status") && !token) {
      return new Decision(false, "this edge API serves only the status subresource");
    }
    if (READ_VERBS.contains(verb)) {
      return new Decision(true, "the edge API serves reads of every kind routed to its node");
    }
    if (WRITE_VERBS.contains(verb)) {
      if (!writable) {
        return new Decision(false, "this edge API is read-only");
      }
      if (type.isPresent()) {
        ResourceType t = type.get();
        String why =
            writes.unauthorized(
                io.kedge.schemas.WriteOperation.valueOf(verb.toUpperCase(Locale.ROOT)),
                new io.kedge.schemas.ObjectKey(
                    t.group(),
                    t.version(),
                    t.kind(),
                    t.namespaced() ? namespace : "",
                    name.isEmpty() ? NodeRestriction.ANY_NAME : name),
                subresource);
        if (why != null) {
          return new Decision(false, why);
        }
      }
      return new Decision(true, "the edge API forwards writes to the cloud, which decides them");
    }
    return new Decision(false, "the edge API does not serve the verb '" + verb + "'");
  }

  Decision decideNonResource(String verb, String path) {
    boolean served =
        NON_RESOURCE_PATHS.stream()
            .anyMatch(
                p ->
                    p.endsWith("*")
                        ? path.startsWith(p.substring(0, p.length() - 1))
                        : p.equals(path));
    if (served && verb.equalsIgnoreCase("get")) {
      return new Decision(true, "discovery, health and OpenAPI paths are open to GET");
    }
    return new Decision(
        false, "the edge API serves GET on discovery, health and OpenAPI paths only");
  }

  /** The same rules in every namespace: the edge API has no per-namespace authorization. */
  private ObjectNode rules(String namespace) {
    ObjectNode status = EventCodec.json().createObjectNode();
    ArrayNode resourceRules = status.putArray("resourceRules");
    List<ResourceType> served =
        types.all().stream()
            .sorted(Comparator.comparing(ResourceType::group).thenComparing(ResourceType::plural))
            .toList();
    ObjectNode reads = resourceRules.addObject();
    READ_VERBS.stream().sorted().forEach(reads.putArray("verbs")::add);
    ArrayNode readGroups = reads.putArray("apiGroups");
    served.stream().map(ResourceType::group).distinct().forEach(readGroups::add);
    ArrayNode readResources = reads.putArray("resources");
    for (ResourceType type : served) {
      readResources.add(type.plural());
      readResources.add(type.plural() + "/status");
    }
    if (writable) {
      ObjectNode writes = resourceRules.addObject();
      WRITE_VERBS.stream().sorted().forEach(writes.putArray("verbs")::add);
      writes.set("apiGroups", readGroups.deepCopy());
      writes.set("resources", readResources.deepCopy());
    }
    ObjectNode nonResource = status.putArray("nonResourceRules").addObject();
    nonResource.putArray("verbs").add("get");
    NON_RESOURCE_PATHS.forEach(nonResource.putArray("nonResourceURLs")::add);
    status.put("incomplete", false);
    return status;
  }
}
