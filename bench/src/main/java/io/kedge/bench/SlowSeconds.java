package io.kedge.bench;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The measured seconds in which some message took longer than a threshold, with their clock time,
 * so a tail can be matched with the logs (GC, segment and cycle rolls, rebalances).
 */
final class SlowSeconds {
  private final long slowNanos;
  private final ConcurrentSkipListMap<Long, long[]> seconds = new ConcurrentSkipListMap<>();
  private volatile long startMillis;

  /**
   * @param slow the delay above which a message counts as slow
   */
  SlowSeconds(Duration slow) {
    this.slowNanos = slow.toNanos();
  }

  void startedAt(long epochMillis) {
    startMillis = epochMillis;
  }

  /** A message due {@code dueOffsetNanos} into the measurement took {@code latency} ns. */
  void add(long dueOffsetNanos, long latency) {
    if (latency > slowNanos) {
      long[] slowest = seconds.computeIfAbsent(dueOffsetNanos / 1_000_000_000L, s -> new long[2]);
      synchronized (slowest) {
        slowest[0]++;
        slowest[1] = Math.max(slowest[1], latency);
      }
    }
  }

  /** {@code what: seconds with messages over N ms: HH:mm:ss (count, max M ms) ...}, if any. */
  Optional<String> report(String what) {
    if (seconds.isEmpty()) {
      return Optional.empty();
    }
    StringBuilder report =
        new StringBuilder(what)
            .append(": seconds with messages over ")
            .append(slowNanos / 1_000_000)
            .append(" ms:");
    DateTimeFormatter clock =
        DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    seconds.forEach(
        (second, slowest) ->
            report.append(
                String.format(
                    " %s (%d, max %d ms)",
                    clock.format(Instant.ofEpochMilli(startMillis + second * 1_000)),
                    slowest[0],
                    slowest[1] / 1_000_000)));
    return Optional.of(report.toString());
  }
}
