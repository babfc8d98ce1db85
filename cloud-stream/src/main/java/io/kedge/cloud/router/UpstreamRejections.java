package io.kedge.cloud.router;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Upstream events the cloud refused, by reason: {@code unsigned}, {@code bad-signature} (not signed
 * with the key of the node it names), {@code node-mismatch} (a node's signed event about another
 * node), {@code revoked-key} (signed with a key its node has been given a new one for), {@code
 * forbidden} (a write that is not the node's to make). Exported as {@code
 * kedge_upstream_rejected_total{reason}}.
 */
public final class UpstreamRejections {
  public static final List<String> REASONS =
      List.of("unsigned", "bad-signature", "node-mismatch", "revoked-key", "forbidden");

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  public UpstreamRejections() {
    REASONS.forEach(reason -> counts.put(reason, new LongAdder()));
  }

  public void refused(String reason) {
    counts.computeIfAbsent(reason, r -> new LongAdder()).increment();
  }

  /** Events refused for {@code reason} so far. */
  public long total(String reason) {
    LongAdder adder = counts.get(reason);
    return adder == null ? 0 : adder.sum();
  }
}
