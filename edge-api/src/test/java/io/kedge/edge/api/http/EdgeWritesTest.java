package io.kedge.edge.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.view.TestObjects;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.WriteRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Writes on the edge API: codes, resourceVersions, offline behaviour, bad requests. */
class EdgeWritesTest {
  private static final String PODS = "/api/v1/namespaces/default/pods";
  private final HttpClient http = HttpClient.newHttpClient();
  private EdgeApiFixture edge;

  record Reply(int code, JsonNode body, HttpResponse<String> raw) {}

  @BeforeEach
  void start() throws Exception {
    edge = new EdgeApiFixture(Duration.ofMillis(1500));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(edge.applier::caughtUp);
  }

  @AfterEach
  void stop() {
    edge.close();
  }

  private Reply call(String method, String path, String contentType, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(edge.url() + path)).timeout(Duration.ofSeconds(20));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = response.body().isEmpty() ? null : EventCodec.json().readTree(response.body());
    return new Reply(response.statusCode(), json, response);
  }

  private static String pod(String name) {
    return TestObjects.pod("default", name, "edge-1", "Pending", "app", name).toString();
  }

  @Test
  void aCreateIsAnsweredWithTheObjectAtItsEdgeResourceVersion() throws Exception {
    Reply created = call("POST", PODS, "application/json", pod("web"));
    assertThat(created.code()).isEqualTo(201);
    long rv = Long.parseLong(created.body().at("/metadata/resourceVersion").asText());
    assertThat(rv)
        .isEqualTo(edge.view.get(type(), "default", "web").orElseThrow().resourceVersion());
    assertThat(edge.cloud.forwarded).hasSize(1);

    Reply again = call("POST", PODS, "application/json", pod("web"));
    assertThat(again.code()).isEqualTo(409);
    assertThat(again.body().path("reason").asText()).isEqualTo("AlreadyExists");
  }

  @Test
  void generateNameGetsASuffix() throws Exception {
    ObjectNode pod = (ObjectNode) EventCodec.json().readTree(pod("x"));
    pod.withObject("metadata").remove("name");
    pod.withObject("metadata").put("generateName", "job-");
    Reply created = call("POST", PODS, "application/json", pod.toString());
    assertThat(created.code()).isEqualTo(201);
    assertThat(created.body().at("/metadata/name").asText()).matches("job-[a-z0-9]{5}");
  }

  @Test
  void anUpdateNamingAnOldEdgeResourceVersionConflictsWithoutAskingTheCloud() throws Exception {
    edge.cloud.seed((ObjectNode) EventCodec.json().readTree(pod("web")));
    Reply current = awaitGet("web");
    ObjectNode stale = (ObjectNode) current.body().deepCopy();
    long rv = Long.parseLong(stale.at("/metadata/resourceVersion").asText());
    stale.withObject("metadata").put("resourceVersion", Long.toString(rv - 1));
    Reply conflict = call("PUT", PODS + "/web", "application/json", stale.toString());
    assertThat(conflict.code()).isEqualTo(409);
    assertThat(edge.cloud.forwarded).isEmpty();

    ObjectNode fresh = (ObjectNode) current.body().deepCopy();
    fresh.withObject("metadata").withObject("labels").put("tier", "front");
    Reply updated = call("PUT", PODS + "/web", "application/json", fresh.toString());
    assertThat(updated.code()).isEqualTo(200);
    assertThat(updated.body().at("/metadata/labels/tier").asText()).isEqualTo("front");
    // the edge version was swapped for the cloud's before forwarding
    WriteRequest forwarded = edge.cloud.forwarded.get(0);
    assertThat(forwarded.body().at("/metadata/resourceVersion").asText()).isEqualTo("101");
  }

  @Test
  void patchesDeletesAndMissingObjects() throws Exception {
    edge.cloud.seed((ObjectNode) EventCodec.json().readTree(pod("web")));
    awaitGet("web");
    Reply merged =
        call(
            "PATCH",
            PODS + "/web",
            "application/merge-patch+json",
            "{\"metadata\":{\"labels\":{\"m\":\"1\"}}}");
    assertThat(merged.code()).isEqualTo(200);
    assertThat(merged.body().at("/metadata/labels/m").asText()).isEqualTo("1");
    Reply missing =
        call("PATCH", PODS + "/nope", "application/merge-patch+json", "{\"metadata\":{}}");
    assertThat(missing.code()).isEqualTo(404);
    assertThat(missing.body().path("kind").asText()).isEqualTo("Status");
    Reply deleted = call("DELETE", PODS + "/web", null, null);
    assertThat(deleted.code()).isEqualTo(200);
    Awaitility.await("web is gone")
        .atMost(Duration.ofSeconds(10))
        .until(() -> edge.view.get(type(), "default", "web").isEmpty());
  }

  @Test
  void aRunningPodIsDeletedGracefullyWithTheGracePeriodOfTheQueryOrTheBody() throws Exception {
    for (String name : new String[] {"a", "b", "c"}) {
      ObjectNode running = (ObjectNode) EventCodec.json().readTree(pod(name));
      running.withObject("status").put("phase", "Running").put("startTime", "2026-12-01T00:00:00Z");
      edge.cloud.seed(running);
      awaitGet(name);
    }
    Reply marked = call("DELETE", PODS + "/a?gracePeriodSeconds=10", null, null);
    assertThat(marked.code()).isEqualTo(200);
    assertThat(marked.body().at("/metadata/deletionGracePeriodSeconds").asLong()).isEqualTo(10);
    assertThat(Long.parseLong(marked.body().at("/metadata/resourceVersion").asText()))
        .as("answered at its edge resourceVersion, as the node's clients know it")
        .isEqualTo(edge.view.get(type(), "default", "a").orElseThrow().resourceVersion());

    Reply overridden =
        call(
            "DELETE",
            PODS + "/b?gracePeriodSeconds=0",
            "application/json",
            "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"gracePeriodSeconds\":20}");
    assertThat(overridden.body().at("/metadata/deletionGracePeriodSeconds").asLong())
        .as("the body's options win over the query's")
        .isEqualTo(20);

    assertThat(call("DELETE", PODS + "/c?gracePeriodSeconds=0", null, null).code()).isEqualTo(200);
    Awaitility.await("c is gone at once")
        .atMost(Duration.ofSeconds(10))
        .until(() -> edge.view.get(type(), "default", "c").isEmpty());
    assertThat(edge.view.get(type(), "default", "a")).as("a waits for its kubelet").isPresent();
  }

  @Test
  void badRequestsGetPreciseStatuses() throws Exception {
    assertThat(call("POST", PODS, "application/json", "{not json").code()).isEqualTo(400);
    assertThat(call("POST", PODS, "application/yaml", "kind: Pod").code())
        .as("YAML is read; a pod without a name is invalid")
        .isEqualTo(422);
    assertThat(call("POST", PODS, "application/yaml", "kind: [Pod").code()).isEqualTo(400);
    assertThat(call("POST", PODS, "application/xml", "<Pod/>").code()).isEqualTo(415);
    assertThat(call("POST", PODS + "?dryRun=Sometimes", "application/json", pod("web")).code())
        .isEqualTo(400);
    assertThat(call("PATCH", PODS + "/web", "application/apply-patch+cbor", "{}").code())
        .isEqualTo(415);
    assertThat(call("DELETE", PODS, null, null).code()).isEqualTo(405);
    assertThat(call("POST", PODS + "/web", "application/json", pod("web")).code()).isEqualTo(405);
    assertThat(call("POST", PODS, "application/json", "[1]").code()).isEqualTo(400);
    assertThat(edge.cloud.forwarded).isEmpty();
  }

  @Test
  void aTokenRequestGoesToTheCloudAsACreateOnTheServiceAccountsTokenSubresource() throws Exception {
    String tokens = "/api/v1/namespaces/kube-system/serviceaccounts/coredns/token";
    String request =
        """
        {"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest",
         "spec":{"audiences":["https://kubernetes.default.svc"],"expirationSeconds":3607,
                 "boundObjectRef":{"apiVersion":"v1","kind":"Pod","name":"coredns-1",
                                   "uid":"4d1b4f2e-0000-4000-8000-000000000001"}}}
        """;
    Reply reply = call("POST", tokens, "application/json", request);
    // the simulated cloud decides as the standalone applier, which has no token issuer
    assertThat(reply.code()).isEqualTo(405);
    assertThat(reply.body().path("message").asText())
        .contains("tokens are answered in Kubernetes mode");
    assertThat(reply.raw().headers().allValues("Warning"))
        .as("the body is checked against TokenRequest, not ServiceAccount")
        .isEmpty();
    assertThat(edge.cloud.forwarded).hasSize(1);
    WriteRequest forwarded = edge.cloud.forwarded.get(0);
    assertThat(forwarded.operation()).isEqualTo(io.kedge.schemas.WriteOperation.CREATE);
    assertThat(forwarded.key().kind()).isEqualTo("ServiceAccount");
    assertThat(forwarded.key().namespace()).isEqualTo("kube-system");
    assertThat(forwarded.key().name()).isEqualTo("coredns");
    assertThat(forwarded.subresource()).isEqualTo("token");
    assertThat(forwarded.body().at("/spec/boundObjectRef/name").asText()).isEqualTo("coredns-1");

    assertThat(call("PUT", tokens, "application/json", request).code()).isEqualTo(405);
    assertThat(call("POST", PODS + "/web/token", "application/json", request).code())
        .isEqualTo(404);
    assertThat(edge.cloud.forwarded).hasSize(1);

    edge.cloud.connected = false;
    Reply offline = call("POST", tokens, "application/json", request);
    assertThat(offline.code()).isEqualTo(503);
    assertThat(offline.body().path("message").asText())
        .contains("serviceaccounts/token requests are answered in the cloud");
  }

  @Test
  void offlineACloudOwnedWriteFailsFastWithRetryAfter() throws Exception {
    edge.cloud.connected = false;
    Reply reply = call("POST", PODS, "application/json", pod("web"));
    assertThat(reply.code()).isEqualTo(503);
    assertThat(reply.raw().headers().firstValue("Retry-After")).contains("1");
    assertThat(reply.body().path("reason").asText()).isEqualTo("ServiceUnavailable");
    assertThat(edge.cloud.forwarded).isEmpty();
  }

  @Test
  void offlineAStatusWriteIsAppliedLocallyAndForwardedUnconditionally() throws Exception {
    edge.cloud.seed((ObjectNode) EventCodec.json().readTree(pod("web")));
    Reply current = awaitGet("web");
    edge.cloud.connected = false;
    ObjectNode status = (ObjectNode) current.body().deepCopy();
    status.withObject("status").put("phase", "Running");
    Reply reply = call("PUT", PODS + "/web/status", "application/json", status.toString());
    assertThat(reply.code()).isEqualTo(200);
    assertThat(reply.body().at("/status/phase").asText()).isEqualTo("Running");
    assertThat(awaitGet("web").body().at("/status/phase").asText()).isEqualTo("Running");
    assertThat(edge.cloud.forwarded).hasSize(1);
    WriteRequest forwarded = edge.cloud.forwarded.get(0);
    assertThat(forwarded.subresource()).isEqualTo("status");
    assertThat(forwarded.body().at("/metadata/resourceVersion").isMissingNode()).isTrue();
  }

  @Test
  void anEdgeOwnedWriteTheCloudDoesNotAnswerIsAppliedLocallyAtTheTimeout() throws Exception {
    edge.cloud.answering = false;
    String event =
        "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"metadata\":{\"name\":\"e1\"},"
            + "\"reason\":\"Started\"}";
    Reply reply = call("POST", "/api/v1/namespaces/default/events", "application/json", event);
    assertThat(reply.code()).isEqualTo(201);
    assertThat(edge.cloud.forwarded).hasSize(1); // forwarded once, not again when applied here
  }

  @Test
  void aCloudOwnedWriteTheCloudDoesNotAnswerTimesOut() throws Exception {
    edge.cloud.answering = false;
    Reply reply = call("POST", PODS, "application/json", pod("web"));
    assertThat(reply.code()).isEqualTo(504);
    assertThat(reply.body().path("reason").asText()).isEqualTo("Timeout");
  }

  @Test
  void aReadOnlyEdgeApiRefusesWrites() throws Exception {
    try (EdgeApiFixture readOnly = new EdgeApiFixture()) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(readOnly.url() + PODS))
                  .POST(HttpRequest.BodyPublishers.ofString(pod("web")))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(405);
      assertThat(response.body()).contains("read-only");
    }
  }

  private Reply awaitGet(String name) throws Exception {
    Awaitility.await(name + " in the view")
        .atMost(Duration.ofSeconds(10))
        .until(() -> edge.view.get(type(), "default", name).isPresent());
    return call("GET", PODS + "/" + name, null, null);
  }

  private io.kedge.edge.api.view.ResourceType type() {
    return edge.view.types().byKind("", "v1", "Pod").orElseThrow();
  }
}
