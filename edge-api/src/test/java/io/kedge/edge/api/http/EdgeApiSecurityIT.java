package io.kedge.edge.api.http;

import static io.kedge.edge.api.view.TestObjects.pod;
import static io.kedge.edge.api.view.TestObjects.upsert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kedge.runtime.tls.TlsMaterial;
import io.kedge.schemas.EventCodec;
import io.kedge.testkit.Kubectl;
import io.kubernetes.client.proto.V1Authentication;
import io.kubernetes.client.proto.V1Authorization;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS with bearer tokens or client certificates, with the real clients. */
class EdgeApiSecurityIT {
  private static final String TOKEN = "s3cr3t-edge-token";
  @TempDir Path dir;
  private Path serverCert;
  private Path serverKey;
  private Path clientCert;
  private Path clientKey;

  @BeforeEach
  void certificates() {
    serverCert = dir.resolve("server.pem");
    serverKey = dir.resolve("server-key.pem");
    clientCert = dir.resolve("client.pem");
    clientKey = dir.resolve("client-key.pem");
    TlsMaterial.writeSelfSignedPem(serverCert, serverKey, List.of("127.0.0.1", "localhost"));
    TlsMaterial.writeSelfSignedPem(clientCert, clientKey, List.of("edge-operator"));
  }

  private EdgeApiFixture start(boolean clientCertificates, List<String> tokens) throws Exception {
    return start(clientCertificates, tokens, "");
  }

  private EdgeApiFixture start(boolean clientCertificates, List<String> tokens, String node)
      throws Exception {
    EdgeApiFixture edge =
        new EdgeApiFixture(
            ApiSecurity.of(
                TlsMaterial.fromPem(serverCert, serverKey, clientCertificates ? clientCert : null),
                clientCertificates,
                tokens),
            node);
    edge.append(upsert(pod("default", "web-0", "edge-1", "Running"), "1"));
    return edge;
  }

  @Test
  void bearerTokensAreCheckedAndHealthStaysOpen() throws Exception {
    try (EdgeApiFixture edge = start(false, List.of(TOKEN, "second-token"))) {
      HttpClient http = HttpClient.newBuilder().sslContext(trusting(serverCert)).build();
      assertThat(get(http, edge.url() + "/api/v1/pods", "Bearer " + TOKEN).statusCode())
          .isEqualTo(200);
      assertThat(get(http, edge.url() + "/api/v1/pods", "Bearer second-token").statusCode())
          .isEqualTo(200);
      HttpResponse<String> none = get(http, edge.url() + "/api/v1/pods", null);
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.body()).contains("\"kind\":\"Status\"", "\"reason\":\"Unauthorized\"");
      assertThat(get(http, edge.url() + "/api/v1/pods", "Bearer wrong").statusCode())
          .isEqualTo(401);
      assertThat(get(http, edge.url() + "/apis", "Basic " + TOKEN).statusCode()).isEqualTo(401);
      assertThat(get(http, edge.url() + "/healthz", null).statusCode()).isEqualTo(200);

      Config config =
          new ConfigBuilder()
              .withMasterUrl(edge.url())
              .withCaCertFile(serverCert.toString())
              .withOauthToken(TOKEN)
              .build();
      try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
        assertThat(client.pods().inNamespace("default").list().getItems()).hasSize(1);
      }
      Config wrong =
          new ConfigBuilder()
              .withMasterUrl(edge.url())
              .withCaCertFile(serverCert.toString())
              .withOauthToken("wrong")
              .withRequestRetryBackoffLimit(0)
              .build();
      try (KubernetesClient client = new KubernetesClientBuilder().withConfig(wrong).build()) {
        assertThatThrownBy(() -> client.pods().inNamespace("default").list())
            .isInstanceOfSatisfying(
                KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(401));
      }

      Path binary = Kubectl.find().orElse(null);
      Assumptions.assumeTrue(binary != null, "SKIPPED kubectl part: no kubectl found");
      Kubectl kubectl = Kubectl.at(binary, edge.url());
      Kubectl.Result ok =
          kubectl.run(
              "--token", TOKEN, "--certificate-authority", serverCert.toString(), "get", "pods");
      assertThat(ok.exitCode()).as(ok.stderr()).isZero();
      assertThat(ok.stdout()).contains("web-0", "Running");
      Kubectl.Result denied =
          kubectl.run(
              "--token", "nope", "--certificate-authority", serverCert.toString(), "get", "pods");
      assertThat(denied.exitCode()).isNotZero();
      assertThat(denied.stderr()).contains("You must be logged in to the server");
    }
  }

  @Test
  void clientCertificatesFromTheConfiguredCaAreAccepted() throws Exception {
    Path binary = Kubectl.find().orElse(null);
    Assumptions.assumeTrue(binary != null, "SKIPPED: no kubectl found");
    try (EdgeApiFixture edge = start(true, List.of())) {
      Kubectl kubectl = Kubectl.at(binary, edge.url());
      Kubectl.Result ok =
          kubectl.run(
              "--certificate-authority",
              serverCert.toString(),
              "--client-certificate",
              clientCert.toString(),
              "--client-key",
              clientKey.toString(),
              "get",
              "pods");
      assertThat(ok.exitCode()).as(ok.stderr()).isZero();
      assertThat(ok.stdout()).contains("web-0");

      HttpClient http = HttpClient.newBuilder().sslContext(trusting(serverCert)).build();
      HttpResponse<String> anonymous = get(http, edge.url() + "/api/v1/pods", null);
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.body()).contains("\"reason\":\"Unauthorized\"");
      Kubectl.Result noCertificate =
          kubectl.run("--certificate-authority", serverCert.toString(), "get", "pods");
      assertThat(noCertificate.exitCode()).isNotZero(); // asked for credentials: none to give

      // a certificate from another CA fails the handshake
      Path otherCert = dir.resolve("other.pem");
      Path otherKey = dir.resolve("other-key.pem");
      TlsMaterial.writeSelfSignedPem(otherCert, otherKey, List.of("intruder"));
      Kubectl.Result intruder =
          kubectl.run(
              "--certificate-authority",
              serverCert.toString(),
              "--client-certificate",
              otherCert.toString(),
              "--client-key",
              otherKey.toString(),
              "get",
              "pods");
      assertThat(intruder.exitCode()).isNotZero();
    }
  }

  /**
   * A kubelet that delegates the authentication and authorization of its own API (its defaults)
   * sends TokenReviews and SubjectAccessReviews in protobuf; kubectl creates them from JSON.
   */
  @Test
  void aKubeletsTokenAndAccessReviewsAreAnsweredForTheNode() throws Exception {
    try (EdgeApiFixture edge = start(false, List.of(TOKEN), "edge-1")) {
      HttpClient http = HttpClient.newBuilder().sslContext(trusting(serverCert)).build();
      var tokenReview =
          V1Authentication.TokenReview.newBuilder()
              .setSpec(V1Authentication.TokenReviewSpec.newBuilder().setToken(TOKEN))
              .build();
      JsonNode authenticated =
          postProtobuf(
              http,
              edge.url() + "/apis/authentication.k8s.io/v1/tokenreviews",
              ProtobufBodiesTest.envelope("authentication.k8s.io/v1", "TokenReview", tokenReview));
      assertThat(authenticated.path("status").path("authenticated").asBoolean()).isTrue();
      assertThat(authenticated.path("status").path("user").path("username").asText())
          .isEqualTo("system:node:edge-1");

      var metrics =
          V1Authorization.SubjectAccessReview.newBuilder()
              .setSpec(
                  V1Authorization.SubjectAccessReviewSpec.newBuilder()
                      .setUser("system:node:edge-1")
                      .addGroups("system:nodes")
                      .addGroups("system:authenticated")
                      .setResourceAttributes(
                          V1Authorization.ResourceAttributes.newBuilder()
                              .setVerb("get")
                              .setResource("nodes")
                              .setSubresource("metrics")
                              .setName("edge-1")))
              .build();
      JsonNode allowed =
          postProtobuf(
              http,
              edge.url() + "/apis/authorization.k8s.io/v1/subjectaccessreviews",
              ProtobufBodiesTest.envelope(
                  "authorization.k8s.io/v1", "SubjectAccessReview", metrics));
      assertThat(allowed.path("status").path("allowed").asBoolean())
          .as(allowed.toString())
          .isTrue();

      Kubectl kubectl = Kubectl.at(EdgeApiFixture.kubectlOrSkip(), edge.url());
      Path reviews = dir.resolve("reviews.yaml");
      Files.writeString(
          reviews,
          """
          apiVersion: authentication.k8s.io/v1
          kind: TokenReview
          spec:
            token: a-stolen-guess
          ---
          apiVersion: authorization.k8s.io/v1
          kind: SubjectAccessReview
          spec:
            user: system:serviceaccount:monitoring:prometheus
            resourceAttributes:
              verb: get
              resource: nodes
              subresource: metrics
              name: edge-1
          """);
      Kubectl.Result created =
          kubectl.run(
              "--token",
              TOKEN,
              "--certificate-authority",
              serverCert.toString(),
              "create",
              "-f",
              reviews.toString(),
              "-o",
              "json");
      assertThat(created.exitCode()).as(created.stderr()).isZero();
      // kubectl prints one JSON document per object created
      List<JsonNode> answers =
          EventCodec.json()
              .readerFor(JsonNode.class)
              .<JsonNode>readValues(created.stdout())
              .readAll();
      assertThat(answers)
          .extracting(a -> a.path("kind").asText())
          .containsExactly("TokenReview", "SubjectAccessReview");
      assertThat(answers.get(0).path("status").path("authenticated").asBoolean(true)).isFalse();
      assertThat(answers.get(1).path("status").path("allowed").asBoolean(true)).isFalse();
      assertThat(created.stdout()).contains("may do nothing here");
    }
  }

  private static JsonNode postProtobuf(HttpClient http, String url, byte[] body) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/vnd.kubernetes.protobuf")
                .header("Accept", "application/vnd.kubernetes.protobuf, application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return EventCodec.json().readTree(response.body());
  }

  private static HttpResponse<String> get(HttpClient http, String url, String authorization)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static SSLContext trusting(Path certPem) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    try (InputStream in = Files.newInputStream(certPem)) {
      store.setCertificateEntry(
          "server", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }
}
