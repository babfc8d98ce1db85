package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.http.AccessReviews.Decision;
import java.util.Set;

/**
 * {@code TokenReview} and {@code SubjectAccessReview}: the calls a kubelet makes to its API server
 * when it delegates the authentication and authorization of requests to its own port (the kubelet
 * configuration's defaults, {@code authentication.webhook.enabled: true} and {@code
 * authorization.mode: Webhook}), so that a local metrics scraper or log reader works against a
 * kubelet that talks to this edge API.
 *
 * <p>An edge API knows one identity, its node's: every bearer token it accepts is the node's
 * credential, so a token review authenticates exactly those tokens, as {@code system:node:<node>}.
 * An access review allows that user what this edge API allows its clients, plus every verb on its
 * own node's kubelet subresources ({@code nodes/proxy}, {@code nodes/metrics}, ...); and, as
 * kube-apiserver does, anything to the {@code system:masters} group. Everyone else is allowed
 * nothing here.
 */
final class DelegatedReviews {
  static final String MASTERS = "system:masters";

  /** The subresources of a Node that a kubelet authorizes requests to its own API against. */
  static final Set<String> KUBELET_SUBRESOURCES =
      Set.of(
          "proxy", "stats", "metrics", "log", "spec", "pods", "healthz", "configz", "checkpoint");

  private final AccessReviews node;
  private final ApiSecurity security;
  private final String nodeName;

  /**
   * @param node what this edge API allows its clients, which act as its node
   * @param security the tokens this edge API accepts
   * @param nodeName the node this edge API serves; empty for a read-only API serving none
   */
  DelegatedReviews(AccessReviews node, ApiSecurity security, String nodeName) {
    this.node = node;
    this.security = security;
    this.nodeName = nodeName;
  }

  /** The node's user name, as kube-apiserver names a kubelet's. */
  String nodeUser() {
    return "system:node:" + nodeName;
  }

  /**
   * The {@code TokenReview} with its status: authenticated as the node when the token is one this
   * edge API accepts. Tokens here carry no audience, so a review that asks for audiences is not
   * authenticated (kube-apiserver answers so for a token none of the asked audiences accept).
   *
   * @throws IllegalArgumentException (a 400) for a body that is not a JSON object
   */
  ObjectNode tokenReview(JsonNode body) {
    ObjectNode review = object(body, "TokenReview", "authentication.k8s.io/v1");
    JsonNode spec = review.path("spec");
    String token = spec.path("token").asText("");
    ObjectNode status = review.putObject("status");
    if (nodeName.isEmpty() || security.tokenDigests().isEmpty()) {
      status.put("authenticated", false);
      status.put(
          "error", "this edge API accepts no bearer tokens (edge.api-token-file is not set)");
    } else if (token.isEmpty() || !security.acceptsToken(token)) {
      status.put("authenticated", false);
    } else if (!spec.path("audiences").isEmpty()) {
      status.put("authenticated", false);
      status.put(
          "error",
          "the edge API's tokens are issued for no audience; the review asked for "
              + spec.path("audiences"));
    } else {
      status.put("authenticated", true);
      ObjectNode user = status.putObject("user");
      user.put("username", nodeUser());
      user.putArray("groups").add("system:nodes").add("system:authenticated");
    }
    return review;
  }

  /**
   * The {@code SubjectAccessReview} with its status.
   *
   * @throws IllegalArgumentException (a 400) for a review kube-apiserver would refuse: no user or
   *     group, or not exactly one of resource and non-resource attributes
   */
  ObjectNode subjectAccessReview(JsonNode body) {
    ObjectNode review = object(body, "SubjectAccessReview", "authorization.k8s.io/v1");
    JsonNode spec = review.path("spec");
    String user = spec.path("user").asText("");
    JsonNode groups = spec.path("groups");
    if (user.isEmpty() && groups.isEmpty()) {
      throw new IllegalArgumentException("spec.user or spec.groups is required");
    }
    boolean resource = spec.has("resourceAttributes");
    if (resource == spec.has("nonResourceAttributes")) {
      throw new IllegalArgumentException(
          "exactly one of spec.resourceAttributes and spec.nonResourceAttributes is required");
    }
    Decision decision = decide(user, groups, spec, resource);
    review.putObject("status").put("allowed", decision.allowed()).put("reason", decision.reason());
    return review;
  }

  private Decision decide(String user, JsonNode groups, JsonNode spec, boolean resource) {
    for (JsonNode group : groups) {
      if (group.asText().equals(MASTERS)) {
        return new Decision(true, "the system:masters group may do anything, as on kube-apiserver");
      }
    }
    if (nodeName.isEmpty() || !user.equals(nodeUser())) {
      return new Decision(
          false,
          "this edge API knows only its node's identity"
              + (nodeName.isEmpty() ? "" : " (" + nodeUser() + ")")
              + " and the system:masters group; '"
              + user
              + "' may do nothing here");
    }
    if (!resource) {
      JsonNode attributes = spec.path("nonResourceAttributes");
      return node.decideNonResource(
          attributes.path("verb").asText(""), attributes.path("path").asText(""));
    }
    JsonNode attributes = spec.path("resourceAttributes");
    String group = attributes.path("group").asText("");
    String plural = attributes.path("resource").asText("");
    String subresource = attributes.path("subresource").asText("");
    String name = attributes.path("name").asText("");
    if (group.isEmpty() && plural.equals("nodes") && KUBELET_SUBRESOURCES.contains(subresource)) {
      return name.equals(nodeName)
          ? new Decision(true, "a node may use its own kubelet's API")
          : new Decision(
              false,
              "a node may use only its own kubelet's API: the review names node '" + name + "'");
    }
    return node.decide(
        attributes.path("verb").asText(""),
        group,
        plural,
        subresource,
        attributes.path("namespace").asText(""),
        name);
  }

  private static ObjectNode object(JsonNode body, String kind, String apiVersion) {
    if (body == null || !body.isObject()) {
      throw new IllegalArgumentException("the body of a " + kind + " must be a JSON object");
    }
    ObjectNode review = ((ObjectNode) body).deepCopy();
    review.put("apiVersion", apiVersion).put("kind", kind);
    review.withObject("metadata");
    return review;
  }
}
