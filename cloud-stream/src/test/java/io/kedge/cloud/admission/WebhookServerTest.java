package io.kedge.cloud.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kedge.runtime.tls.TlsMaterial;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.objects.OfflineAutonomy;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
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
