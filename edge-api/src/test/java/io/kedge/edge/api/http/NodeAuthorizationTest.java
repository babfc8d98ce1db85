package io.kedge.edge.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.view.TestObjects;
import io.kedge.kube.authorization.NodeWriteRules;
import io.kedge.schemas.EventCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The edge API of node {@code edge-1} refuses, with 403 and the rule, what is not the node's to
 * write, before anything leaves the node, online and offline; what is its own passes.
 */
class NodeAuthorizationTest {
  private static final String PODS = "/api/v1/namespaces/default/pods";
  private final HttpClient http = HttpClient.newHttpClient();
  private EdgeApiFixture edge;

  @BeforeEach
  void start() throws Exception {
    edge =
        new EdgeApiFixture(
            Duration.ofSeconds(5), NodeWriteRules.parse(List.of("v1/ConfigMap@shop")));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(edge.applier::caughtUp);
    edge.seed(
        TestObjects.pod("default", "mine", "edge-1", "Pending", "app", "mine"),
        TestObjects.pod("default", "theirs", "edge-2", "Pending", "app", "theirs"),
        json(
            "{'apiVersion':'v1','kind':'Node','metadata':{'name':'edge-1','labels':{'kubernetes.io/hostname':'edge-1'}}}"));
  }

  @AfterEach
  void stop() {
    edge.close();
  }

  private record Reply(int code, JsonNode body) {}

  private Reply call(String method, String path, String contentType, String body) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(edge.url() + path))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), EventCodec.json().readTree(response.body()));
  }

  private static final String MERGE = "application/merge-patch+json";

  @Test
  void anotherNodesObjectsSecretsAndCloudOwnedObjectsAreForbiddenWithTheRule() throws Exception {
    Reply secret =
        call(
            "POST",
            "/api/v1/namespaces/default/secrets",
            "application/json",
            "{\"metadata\":{\"name\":\"db\"}}");
    assertThat(secret.code()).isEqualTo(403);
    assertThat(secret.body().path("reason").asText()).isEqualTo("Forbidden");
    assertThat(secret.body().path("message").asText())
        .startsWith("secrets \"db\" is forbidden: node \"edge-1\" may write only its own objects");

    Reply theirs =
        call("PATCH", PODS + "/theirs/status", MERGE, "{\"status\":{\"phase\":\"Failed\"}}");
    assertThat(theirs.code()).isEqualTo(403);
    assertThat(theirs.body().path("message").asText())
        .isEqualTo(
            "pods \"theirs\" is forbidden: node \"edge-1\" can only update pod status for pods with"
                + " spec.nodeName set to itself");

    Reply relabel =
        call("PATCH", PODS + "/mine", MERGE, "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}");
    assertThat(relabel.code()).isEqualTo(403);
    assertThat(relabel.body().path("message").asText())
        .contains("can only create and delete mirror pods");

    Reply otherNode =
        call("PATCH", "/api/v1/nodes/edge-2", MERGE, "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}");
    assertThat(otherNode.code()).isEqualTo(403);
    assertThat(otherNode.body().path("message").asText())
        .contains("node \"edge-1\" is not allowed to modify node \"edge-2\"");

    Reply otherLease =
        call(
            "POST",
            "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
            "application/json",
            "{\"metadata\":{\"name\":\"edge-2\"},\"spec\":{\"holderIdentity\":\"edge-2\"}}");
    assertThat(otherLease.code()).isEqualTo(403);
    assertThat(edge.cloud.forwarded).as("nothing refused left the node").isEmpty();
  }

  @Test
  void itsOwnObjectsAndWhatTheOperatorAllowsPass() throws Exception {
    assertThat(
            call("PATCH", PODS + "/mine/status", MERGE, "{\"status\":{\"phase\":\"Running\"}}")
                .code())
        .isEqualTo(200);
    assertThat(
            call(
                    "POST",
                    "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
                    "application/json",
                    "{\"metadata\":{\"name\":\"edge-1\"},\"spec\":{\"holderIdentity\":\"edge-1\"}}")
                .code())
        .isEqualTo(201);
    assertThat(
            call(
                    "POST",
                    "/api/v1/namespaces/default/events",
                    "application/json",
                    "{\"metadata\":{\"name\":\"mine.1\"},\"reason\":\"Started\"}")
                .code())
        .isEqualTo(201);
    assertThat(
            call(
                    "POST",
                    "/api/v1/namespaces/shop/configmaps",
                    "application/json",
                    "{\"metadata\":{\"name\":\"menu\"}}")
                .code())
        .as("v1/ConfigMap@shop")
        .isEqualTo(201);
    assertThat(
            call(
                    "POST",
                    "/api/v1/namespaces/default/configmaps",
                    "application/json",
                    "{\"metadata\":{\"name\":\"menu\"}}")
                .code())
        .isEqualTo(403);
  }

  @Test
  void offlineItsNodeMayNotGiveItselfLabelsOrTaintsThatSteerWorkloads() throws Exception {
    edge.cloud.connected = false;
    Reply zone =
        call(
            "PATCH",
            "/api/v1/nodes/edge-1",
            MERGE,
            "{\"metadata\":{\"labels\":{\"topology.kubernetes.io/zone\":\"a\"}}}");
    assertThat(zone.code()).as("a kubelet label, applied on the node").isEqualTo(200);

    Reply trusted =
        call(
            "PATCH",
            "/api/v1/nodes/edge-1",
            MERGE,
            "{\"metadata\":{\"labels\":{\"node-restriction.kubernetes.io/trusted\":\"yes\"}}}");
    assertThat(trusted.code()).isEqualTo(403);
    assertThat(trusted.body().path("message").asText())
        .contains(
            "not allowed to set the following labels: node-restriction.kubernetes.io/trusted");

    Reply taint =
        call(
            "PATCH",
            "/api/v1/nodes/edge-1",
            MERGE,
            "{\"spec\":{\"taints\":[{\"key\":\"k\",\"effect\":\"NoSchedule\"}]}}");
    assertThat(taint.code()).isEqualTo(403);
    assertThat(edge.cloud.forwarded).as("only the allowed label change was queued").hasSize(1);
  }

  @Test
  void authCanIAnswersWhatThisNodeMayWrite() throws Exception {
    assertThat(canI("create", "", "secrets", "", "default", "").path("allowed").asBoolean())
        .isFalse();
    assertThat(canI("create", "", "secrets", "", "default", "").path("reason").asText())
        .contains("may write only its own objects");
    assertThat(canI("patch", "", "pods", "status", "default", "").path("allowed").asBoolean())
        .isTrue();
    assertThat(
            canI("update", "coordination.k8s.io", "leases", "", "kube-node-lease", "edge-1")
                .path("allowed")
                .asBoolean())
        .isTrue();
    assertThat(
            canI("update", "coordination.k8s.io", "leases", "", "kube-node-lease", "edge-2")
                .path("allowed")
                .asBoolean())
        .isFalse();
    assertThat(
            canI("create", "", "serviceaccounts", "token", "default", "app")
                .path("allowed")
                .asBoolean())
        .isTrue();
    assertThat(canI("create", "", "configmaps", "", "shop", "").path("allowed").asBoolean())
        .isTrue();
  }

  private JsonNode canI(
      String verb, String group, String resource, String sub, String ns, String name)
      throws Exception {
    String review =
        ("{'apiVersion':'authorization.k8s.io/v1','kind':'SelfSubjectAccessReview','spec':"
                + "{'resourceAttributes':{'verb':'%s','group':'%s','resource':'%s','subresource':'%s',"
                + "'namespace':'%s','name':'%s'}}}")
            .formatted(verb, group, resource, sub, ns, name)
            .replace('\'', '"');
    Reply reply =
        call(
            "POST",
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            "application/json",
            review);
    assertThat(reply.code()).isEqualTo(201);
    return reply.body().path("status");
  }

  private static ObjectNode json(String singleQuoted) {
    try {
      return (ObjectNode) EventCodec.json().readTree(singleQuoted.replace('\'', '"'));
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
