package io.kedge.edge.api.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * TLS and authentication of the edge API. Without TLS it serves plain HTTP to anyone who can reach
 * it, which configuration allows only on a loopback address. With TLS, clients authenticate with a
 * bearer token or a client certificate the configured CA issued; health endpoints stay open.
 *
 * @param tls the server identity (and, with client certificates, the CAs trusted for them); null
 *     for plain HTTP
 * @param clientCertificates whether a verified client certificate authenticates a request
 * @param tokenDigests SHA-256 digests of the accepted bearer tokens
 */
public record ApiSecurity(SSLContext tls, boolean clientCertificates, List<byte[]> tokenDigests) {
  public ApiSecurity {
    tokenDigests = List.copyOf(tokenDigests);
    if (tls == null && (clientCertificates || !tokenDigests.isEmpty())) {
      throw new IllegalArgumentException("authentication needs TLS: tokens would travel in clear");
    }
  }

  /** Plain HTTP, no authentication: for loopback only. */
  public static ApiSecurity none() {
    return new ApiSecurity(null, false, List.of());
  }

  /** TLS with {@code tokens} and, if {@code clientCertificates}, client certificates. */
  public static ApiSecurity of(SSLContext tls, boolean clientCertificates, List<String> tokens) {
    return new ApiSecurity(
        Objects.requireNonNull(tls, "tls"),
        clientCertificates,
        tokens.stream().map(ApiSecurity::digest).toList());
  }

  public boolean usesTls() {
    return tls != null;
  }

  public boolean authenticates() {
    return clientCertificates || !tokenDigests.isEmpty();
  }

  public String scheme() {
    return usesTls() ? "https" : "http";
  }

  /** A server engine that asks for a client certificate when those are accepted. */
  SSLEngine newEngine() {
    SSLEngine engine = tls.createSSLEngine();
    engine.setUseClientMode(false);
    if (clientCertificates) {
      // "want", not "need": a request without a certificate gets a clear 401 Status instead of a
      // failed handshake that clients report poorly
      engine.setWantClientAuth(true);
    }
    return engine;
  }

  /** Whether {@code authorization} (the header's value) carries an accepted bearer token. */
  boolean acceptsBearer(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return acceptsToken(authorization.substring(7).trim());
  }

  /** Whether {@code token} is an accepted bearer token. */
  boolean acceptsToken(String token) {
    byte[] presented = digest(token);
    boolean accepted = false;
    for (byte[] accepts : tokenDigests) {
      accepted |= MessageDigest.isEqual(accepts, presented); // no early exit: constant time
    }
    return accepted;
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
