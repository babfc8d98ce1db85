package io.kedge.runtime.http;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * JDK HTTP clients for callers that block in {@code send} on threads of their own, as the edge's
 * servicebus calls do (rule deliveries, which POST thousands a second, use {@link HttpPoster}).
 * Their {@code sendAsync} is not for such clients: it hands every answer to {@code
 * CompletableFuture}'s default executor, which on a machine of one or two cores starts a thread per
 * task.
 */
public final class BlockingHttpClients {
  private BlockingHttpClients() {}

  /**
   * A client whose selector thread parses each answer itself instead of handing it to a pool thread
   * that hands it on: those two hand-offs per request cost more CPU than the request. Only the
   * client's own work runs there; {@code send} blocks its caller, never the selector.
   */
  public static HttpClient create(Duration connectTimeout) {
    return HttpClient.newBuilder().connectTimeout(connectTimeout).executor(Runnable::run).build();
  }
}
