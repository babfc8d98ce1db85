package io.kedge.cloud.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.schemas.EventCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kedge's admission webhooks over HTTPS: the offline-autonomy one ({@code POST /offlinemigration})
 * and, where rules run, the validation of Rules and RuleEndpoints ({@code POST /rules}), each
 * taking an AdmissionReview. Bodies are bounded; a body that is not an AdmissionReview gets 400
 * with the reason, as kube-apiserver then reports it on the pod request (and {@code failurePolicy}
 * decides).
 */
public final class WebhookServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookServer.class);
  public static final String PATH = "/offlinemigration";
  private static final int MAX_BODY_BYTES = 3 * 1024 * 1024;

  private final HttpsServer server;
  private final ExecutorService executor;
  private final LongAdder reviews = new LongAdder();
  private final LongAdder patched = new LongAdder();

  private WebhookServer(HttpsServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  public static WebhookServer start(
      String host, int port, SSLContext tls, AdmissionReviewer review) {
    HttpsServer server;
    try {
      server = HttpsServer.create(new InetSocketAddress(host, port), 64);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "the admission webhook cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    ExecutorService executor = DaemonThreads.pool("kedge-webhook", 4);
    WebhookServer webhook = new WebhookServer(server, executor);
    server.createContext(PATH, exchange -> webhook.handle(exchange, review));
    server.setExecutor(executor);
    server.start();
    LOG.info("offline-autonomy webhook on https://{}:{}{}", host, webhook.port(), PATH);
    return webhook;
  }

  /** Serves {@code reviewer} on {@code path} too. */
  public void serve(String path, AdmissionReviewer reviewer) {
    server.createContext(path, exchange -> handle(exchange, reviewer));
    LOG.info("admission webhook serves {}", path);
  }

  private void handle(HttpExchange exchange, AdmissionReviewer review) throws IOException {
    if (!exchange.getRequestMethod().equals("POST")) {
      reply(exchange, 405, "{\"error\":\"use POST with an AdmissionReview\"}");
      return;
    }
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (body.length > MAX_BODY_BYTES) {
      reply(exchange, 413, "{\"error\":\"the AdmissionReview is larger than 3 MiB\"}");
      return;
    }
    try {
      JsonNode request = EventCodec.json().readTree(body);
      JsonNode answer = review.answer(request);
      reviews.increment();
      if (!answer.path("response").path("allowed").asBoolean(true)) {
        LOG.info(
            "{} {}/{} refused: {}",
            request.at("/request/kind/kind").asText(),
            request.at("/request/namespace").asText(),
            request
                .at("/request/name")
                .asText(request.at("/request/object/metadata/name").asText()),
            answer.at("/response/status/message").asText());
      }
      if (answer.path("response").has("patch")) {
        patched.increment();
        LOG.info(
            "pod {}/{} ({}): offline-autonomy tolerations patched",
            request.at("/request/namespace").asText(),
            request
                .at("/request/object/metadata/name")
                .asText(request.at("/request/name").asText()),
            request.at("/request/operation").asText());
      }
      reply(exchange, 200, answer.toString());
    } catch (IOException | IllegalArgumentException e) {
      String reason = e.getMessage() == null ? e.toString() : e.getMessage().split("\n")[0];
      LOG.warn("admission request refused: {}", reason);
      reply(exchange, 400, EventCodec.json().createObjectNode().put("error", reason).toString());
    }
  }

  private static void reply(HttpExchange exchange, int code, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** AdmissionReviews answered, and how many of them carried a patch. */
  public long reviews() {
    return reviews.sum();
  }

  public long patched() {
    return patched.sum();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
