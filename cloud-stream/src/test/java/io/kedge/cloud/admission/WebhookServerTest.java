package io.kedge.cloud.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kedge.kube.objects.OfflineAutonomy;
import io.kedge.runtime.http.HttpBounds;
import io.kedge.runtime.tls.TlsMaterial;
import io.kedge.schemas.EventCodec;
import io.kedge.testkit.RawHttp;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The webhook over real HTTPS, with the self-signed development certificate. */
class WebhookServerTest {
  @TempDir Path dir;

  @Test
  void answersAnAdmissionReviewOverTlsAndRefusesJunkWithTheReason() throws Exception {
    SSLContext tls = TlsMaterial.selfSigned(dir, List.of("localhost", "127.0.0.1"));
    try (WebhookServer webhook =
        WebhookServer.start(
            "127.0.0.1", 0, tls, new OfflineMigrationReview(new OfflineAutonomy(false)))) {
      HttpClient client = HttpClient.newBuilder().sslContext(trusting()).build();
      URI uri = URI.create("https://127.0.0.1:" + webhook.port() + WebhookServer.PATH);
      byte[] review;
      try (InputStream in =
          getClass().getResourceAsStream("/admission/pod-create-default-tolerations.json")) {
        review = in.readAllBytes();
      }
      HttpResponse<String> ok =
          client.send(
              HttpRequest.newBuilder(uri)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(review))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);
      JsonNode answer = EventCodec.json().readTree(ok.body());
      assertThat(answer.at("/response/allowed").asBoolean()).isTrue();
      assertThat(answer.at("/response/patchType").asText()).isEqualTo("JSONPatch");

      HttpResponse<String> junk =
          client.send(
              HttpRequest.newBuilder(uri)
                  .POST(HttpRequest.BodyPublishers.ofString("{\"kind\":\"Pod\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(junk.statusCode()).isEqualTo(400);
      assertThat(junk.body()).contains("expected kind AdmissionReview");
      assertThat(webhook.reviews()).isEqualTo(1);
      assertThat(webhook.patched()).isEqualTo(1);
    }
    // the development certificate is kept, not made again
    assertThat(Files.exists(dir.resolve("webhook-self-signed.p12"))).isTrue();
  }

  @Test
  void boundsWhatAClientHoldsAsTheOtherServersDo() throws Exception {
    SSLContext tls = TlsMaterial.selfSigned(dir, List.of("localhost", "127.0.0.1"));
    CountDownLatch reviewing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AdmissionReviewer slow =
        review -> {
          reviewing.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return EventCodec.json().createObjectNode().put("kind", "AdmissionReview");
        };
    try (WebhookServer webhook =
        WebhookServer.start(
            "127.0.0.1",
            0,
            tls,
            slow,
            new HttpBounds.Limits(2, 1, Duration.ofMillis(1500), Duration.ofSeconds(5)))) {
      SSLSocketFactory sockets = trusting().getSocketFactory();
      try (Socket first = sockets.createSocket("127.0.0.1", webhook.port());
          Socket second = sockets.createSocket("127.0.0.1", webhook.port())) {
        first.setSoTimeout(10_000);
        second.setSoTimeout(10_000);
        post(first);
        assertThat(reviewing.await(10, TimeUnit.SECONDS)).as("the first review runs").isTrue();
        post(second);
        assertThat(RawHttp.read(second, 40)).startsWith("HTTP/1.1 429").contains("Retry-After: 1");
        release.countDown();
        assertThat(RawHttp.read(first, 12)).startsWith("HTTP/1.1 200");
        assertThat(webhook.bounds().refusedRequests()).isEqualTo(1);

        Awaitility.await("both connections held")
            .atMost(Duration.ofSeconds(10))
            .until(() -> webhook.bounds().openConnections() == 2);
        try (Socket third = sockets.createSocket("127.0.0.1", webhook.port())) {
          third.setSoTimeout(10_000);
          assertThat(RawHttp.read(third, 1 << 20))
              .startsWith("HTTP/1.1 503")
              .contains("Retry-After: 1");
        }
        assertThat(webhook.bounds().refusedConnections()).isEqualTo(1);
        assertThat(first.getInputStream().read()).as("an idle connection is closed").isEqualTo(-1);
      }
    }
  }

  private static void post(Socket socket) throws Exception {
    OutputStream out = socket.getOutputStream();
    out.write(
        ("POST " + WebhookServer.PATH + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private SSLContext trusting() throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve("webhook-self-signed.p12"))) {
      store.load(in, "kedge-dev".toCharArray());
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }
}
