package io.kedge.edge.api.http;

import io.kedge.schemas.authorization.NodeRestriction;
import io.kedge.schemas.authorization.NodeWriteRules;
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
 */
public record EdgeApiOptions(
    String bindHost,
    int port,
    int maxBodyBytes,
    int watchBufferEvents,
    Duration writeTimeout,
    boolean tolerateNotReady,
    ApiSecurity security,
    NodeWriteRules nodeWrites) {
  public static final int DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;
  public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(10);

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
        NodeWriteRules.ALL);
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
        nodeWrites);
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
        nodeWrites);
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
        rules);
  }

  String advertisedAddress() {
    return bindHost + ":" + port;
  }
}
