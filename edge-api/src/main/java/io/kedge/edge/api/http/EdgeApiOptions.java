package io.kedge.edge.api.http;

import io.kedge.kube.authorization.NodeRestriction;
import io.kedge.kube.authorization.NodeWriteRules;
import io.kedge.runtime.http.HttpBounds;
import java.time.Duration;

/**
 * How the edge API listens and bounds its work.
 *
 * @param bindHost address to bind; loopback unless TLS and auth are configured
 * @param port port to listen on; 0 picks a free one
 * @param maxBodyBytes request bodies above this get 413 (Kubernetes' limit is 3 MiB)
 * @param watchBufferEvents events buffered per watch before a slow client is dropped
 * @param writeTimeout how long a write waits for the cloud's answer before 504
 * @param tolerateNotReady pods created here with the offline-autonomy label also tolerate {@code
 *     node.kubernetes.io/not-ready} forever
 * @param security TLS and authentication
 * @param nodeWrites what this node may write beyond its own objects (see {@link NodeRestriction})
 * @param limits what one client may hold: connections, requests in flight, idle and request
 *     timeouts (watches are exempt from the idle timeout)
 */
public record EdgeApiOptions(
    String bindHost,
    int port,
    int maxBodyBytes,
    int watchBufferEvents,
    Duration writeTimeout,
    boolean tolerateNotReady,
    ApiSecurity security,
    NodeWriteRules nodeWrites,
    HttpBounds.Limits limits) {
  public static final int DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;
  public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(10);

  /**
   * kube-apiserver's default of requests in flight (400), a connection cap for a node's agents and
   * apps, idle connections closed after 5 minutes, a minute for a request to arrive whole.
   */
  public static final HttpBounds.Limits DEFAULT_LIMITS =
      new HttpBounds.Limits(1024, 400, Duration.ofMinutes(5), Duration.ofMinutes(1));

  /** On loopback, without authentication, every write allowed (tests, benchmarks). */
  public static EdgeApiOptions loopback(int port) {
    return new EdgeApiOptions(
        "127.0.0.1",
        port,
        DEFAULT_MAX_BODY_BYTES,
        10_000,
        DEFAULT_WRITE_TIMEOUT,
        false,
        ApiSecurity.none(),
        NodeWriteRules.ALL,
        DEFAULT_LIMITS);
  }

  public EdgeApiOptions withWriteTimeout(Duration timeout) {
    return new EdgeApiOptions(
        bindHost,
        port,
        maxBodyBytes,
        watchBufferEvents,
        timeout,
        tolerateNotReady,
        security,
        nodeWrites,
        limits);
  }

  public EdgeApiOptions withSecurity(ApiSecurity security) {
    return new EdgeApiOptions(
        bindHost,
        port,
        maxBodyBytes,
        watchBufferEvents,
        writeTimeout,
        tolerateNotReady,
        security,
        nodeWrites,
        limits);
  }

  public EdgeApiOptions withLimits(HttpBounds.Limits bounds) {
    return new EdgeApiOptions(
        bindHost,
        port,
        maxBodyBytes,
        watchBufferEvents,
        writeTimeout,
        tolerateNotReady,
        security,
        nodeWrites,
        bounds);
  }

  public EdgeApiOptions withNodeWrites(NodeWriteRules rules) {
    return new EdgeApiOptions(
        bindHost,
        port,
        maxBodyBytes,
        watchBufferEvents,
        writeTimeout,
        tolerateNotReady,
        security,
        rules,
        limits);
  }

  String advertisedAddress() {
    return bindHost + ":" + port;
  }
}
