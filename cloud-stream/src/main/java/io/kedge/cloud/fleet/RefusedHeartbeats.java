package io.kedge.cloud.fleet;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The log lines of refused heartbeats: a node's first refusal, then at most one line per node and
 * interval, with how many were refused since. A cloud that turns node signatures on reads the
 * nodes' earlier unsigned heartbeats back at start (one a node every ten seconds, over the
 * lookback), and a node with a wrong key sends one every ten seconds: one line each would bury
 * everything else. {@code kedge_upstream_rejected_total} counts them all.
 */
final class RefusedHeartbeats {
  /** Nodes remembered at most; beyond it, the memory starts over (names may be forged). */
  static final int MAX_NODES = 10_000;

  private final LongSupplier millis;
  private final long intervalMs;
  private final Map<String, long[]> byNode = new HashMap<>(); // node -> {last line at, since then}

  /**
   * @param millis the time now, in milliseconds
   */
  RefusedHeartbeats(LongSupplier millis, Duration interval) {
    this.millis = millis;
    this.intervalMs = interval.toMillis();
  }

  /** The line to log for this refusal, or null when the node's last line is recent. */
  String refused(String node, String where, String why) {
    long now = millis.getAsLong();
    long[] state = byNode.get(node);
    if (state != null && now - state[0] < intervalMs) {
      state[1]++;
      return null;
    }
    if (state == null && byNode.size() >= MAX_NODES) {
      byNode.clear();
    }
    long since = state == null ? 0 : state[1];
    byNode.put(node, new long[] {now, 0});
    return "heartbeat "
        + where
        + " of node "
        + node
        + " refused: "
        + why
        + (since == 0
            ? ""
            : " (and " + since + " more of this node's refused since the last line)");
  }
}
