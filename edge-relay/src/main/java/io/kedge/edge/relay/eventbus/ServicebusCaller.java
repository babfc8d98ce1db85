package io.kedge.edge.relay.eventbus;

import io.kedge.edge.relay.uplink.UplinkLog;
import io.kedge.runtime.http.BlockingHttpClients;
import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.schemas.RuleMessage;
import io.kedge.schemas.RuleResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge half of rest → servicebus rules: calls the node-local service a servicebus rule message
 * names and sends its status, headers and body back up for the REST ingress to answer with. Only
 * loopback services are called, and only before the caller's deadline: a message that reaches a
 * node after its caller gave up (504) is not acted on (at most once).
 */
public final class ServicebusCaller implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServicebusCaller.class);

  /**
   * Calls in flight at once; more wait in order (and are not made once their caller's deadline has
   * passed). The ingress bounds what can be waiting.
   */
  static final int CALLS_IN_FLIGHT = 16;

  private final String node;
  private final UplinkLog uplink;

  /** Each call blocks one of these threads (see {@link BlockingHttpClients}). */
  private final ExecutorService callers =
      DaemonThreads.pool("kedge-servicebus-call", CALLS_IN_FLIGHT);

  private final HttpClient http = BlockingHttpClients.create(Duration.ofSeconds(10));

  public ServicebusCaller(String node, UplinkLog uplink) {
    this.node = node;
    this.uplink = uplink;
  }

  /** Calls the service on a thread of its own; the answer goes to the uplink. */
  public void call(RuleMessage message) {
    try {
      callers.execute(() -> callNow(message));
    } catch (RejectedExecutionException closing) {
      LOG.info("node {}: servicebus message {} not called: closing", node, message.messageId());
    }
  }

  private void callNow(RuleMessage message) {
    long deadline = parseLong(message.headers().get(RuleMessage.DEADLINE_HEADER), Long.MAX_VALUE);
    long left = deadline - System.currentTimeMillis();
    if (left <= 0) {
      LOG.info(
          "node {}: servicebus message {} to {} arrived after its caller's deadline; not called",
          node,
          message.messageId(),
          message.target());
      return;
    }
    URI target;
    try {
      target = URI.create(message.target());
    } catch (IllegalArgumentException e) {
      answer(message, 502, "servicebus target " + message.target() + " is not a URL: " + e);
      return;
    }
    if (!"127.0.0.1".equals(target.getHost()) && !"localhost".equals(target.getHost())) {
      answer(message, 502, "servicebus targets must be loopback services, not " + target);
      return;
    }
    String method = message.headers().getOrDefault(RuleMessage.METHOD_HEADER, "POST");
    HttpResponse<byte[]> response;
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(target).timeout(Duration.ofMillis(Math.min(left, 300_000)));
      message
          .headers()
          .forEach(
              (name, value) -> {
                // the ingress's own headers are for this caller, not for the service
                if (!name.startsWith("X-Kedge-") && !RuleMessage.hopByHop(name)) {
                  request.header(name, value);
                }
              });
      request.method(method, HttpRequest.BodyPublishers.ofByteArray(message.payload()));
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IllegalArgumentException e) { // a header or method the client refuses
      answer(message, 502, method + " " + target + " cannot be made: " + e);
      return;
    } catch (IOException e) {
      answer(
          message,
          e instanceof HttpTimeoutException ? 504 : 502,
          method + " " + target + " failed: " + e);
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // closing: the caller's deadline answers it
      return;
    }
    Map<String, String> headers = new LinkedHashMap<>();
    response.headers().map().forEach((k, v) -> headers.put(k, String.join(",", v)));
    send(
        new RuleResponse(
            message.messageId(), node, response.statusCode(), headers, response.body()));
  }

  private void answer(RuleMessage message, int code, String error) {
    LOG.warn("node {}: servicebus message {}: {}", node, message.messageId(), error);
    send(
        new RuleResponse(
            message.messageId(),
            node,
            code,
            Map.of("Content-Type", "text/plain"),
            error.getBytes(StandardCharsets.UTF_8)));
  }

  private void send(RuleResponse response) {
    try {
      uplink.append(response, response.messageId());
    } catch (RuntimeException e) {
      LOG.warn(
          "node {}: servicebus answer {} not queued: {}", node, response.messageId(), e.toString());
    }
  }

  private static long parseLong(String value, long fallback) {
    try {
      return value == null ? fallback : Long.parseLong(value);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  @Override
  public void close() {
    callers.shutdownNow();
  }
}
