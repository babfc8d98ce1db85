package io.kedge.edge.relay.link;

import java.time.Duration;

/**
 * How many bytes the downlink asks Kafka for per fetch ({@code max.partition.fetch.bytes}), sized
 * to the link it measures. A fetch response must cross the link within the consumer's request
 * timeout, or the consumer drops the connection and asks for the same bytes again, for ever: a 1
 * MiB fetch needs 100 KiB/s to cross in 10 s. On a fast link, larger fetches mean fewer round
 * trips, and those round trips, not CPU, bound a relay catching up a backlog.
 *
 * <p>The link's rate is bytes received over the time spent in {@code poll}, the only time the
 * consumer reads its sockets, measured only while the link is what limits the consumer: while the
 * broker is known to hold at least a full fetch for this node, or while one response keeps arriving
 * in pieces, poll after poll, with no record returned. Each window of {@value #WINDOW_MILLIS} ms of
 * such polling, uninterrupted, decides. A fetch shrinks to what crosses in a quarter of the request
 * timeout (the rate of a mobile or satellite link varies) and grows only to what crosses in half of
 * that, so a rate near a boundary does not make it flap. Sizes are powers of two between {@link
 * #MIN} and {@link #MAX}. Round trips make a small fetch measure a slow link, so a size that is too
 * small corrects itself upwards one window at a time.
 */
final class FetchSize {
  static final int MIN = 16 * 1024;
  static final int MAX = 4 * 1024 * 1024;
  static final long WINDOW_MILLIS = 1_000;
  private static final long WINDOW_NANOS = WINDOW_MILLIS * 1_000_000;

  private final double budgetSeconds;
  private int bytes;
  private long windowNanos;
  private double windowBytes;
  private double measured = -1;
  private long streakNanos;
  private double streakBytes;

  /** Starts at {@code initial} bytes; a fetch should cross within a quarter of the timeout. */
  FetchSize(int initial, Duration requestTimeout) {
    if (initial < MIN || initial > MAX || Integer.bitCount(initial) != 1) {
      throw new IllegalArgumentException(
          "initial fetch size must be a power of two in " + MIN + ".." + MAX + ", was " + initial);
    }
    this.bytes = initial;
    this.budgetSeconds = requestTimeout.toNanos() / 4e9;
  }

  int bytes() {
    return bytes;
  }

  /** Bytes per second the last window measured, -1 before the first. */
  double measuredRate() {
    return measured;
  }

  /**
   * Records one poll: {@code pollNanos} spent in it, {@code received} bytes read from the link
   * during it and {@code polled} records it returned, with {@code backlogBytes} known to wait at
   * the broker before it. Returns the size the next fetches should ask for, {@link #bytes()} when
   * unchanged.
   */
  int observe(long pollNanos, double received, double backlogBytes, int polled) {
    if (backlogBytes >= bytes) { // a full fetch waits at the broker: the link limits this poll
      endStreak();
      return measure(pollNanos, received);
    }
    if (polled == 0 && received > 0) {
      // Part of a response that has not all arrived yet. The backlog is learnt from responses,
      // so while the first large one crosses a slow link this is all there is to go by; a
      // response that keeps arriving for a whole window is limited by the link.
      streakNanos += pollNanos;
      streakBytes += received;
      if (streakNanos < WINDOW_NANOS) {
        return bytes;
      }
      long nanos = streakNanos;
      double streakReceived = streakBytes;
      endStreak();
      return measure(nanos, streakReceived);
    }
    // not limited by the link: what was measured so far must not blend with what comes next
    endStreak();
    windowNanos = 0;
    windowBytes = 0;
    return bytes;
  }

  private void endStreak() {
    streakNanos = 0;
    streakBytes = 0;
  }

  private int measure(long pollNanos, double received) {
    windowNanos += pollNanos;
    windowBytes += received;
    if (windowNanos < WINDOW_NANOS) {
      return bytes;
    }
    double perSecond = windowBytes * 1e9 / windowNanos;
    measured = perSecond;
    windowNanos = 0;
    windowBytes = 0;
    if (perSecond <= 0) {
      return bytes; // a silent link: the link state's business, not the fetch size's
    }
    double crossesInBudget = perSecond * budgetSeconds;
    if (bytes > crossesInBudget) {
      bytes = powerOfTwoAtMost(crossesInBudget);
    } else {
      bytes = Math.max(bytes, powerOfTwoAtMost(crossesInBudget / 2));
    }
    return bytes;
  }

  private static int powerOfTwoAtMost(double limit) {
    if (limit >= MAX) {
      return MAX;
    }
    return Math.max(MIN, Integer.highestOneBit((int) limit));
  }

  /** {@code bytes} as KiB or MiB, for the log. */
  static String describe(double bytes) {
    return bytes >= 1024 * 1024
        ? String.format("%.1f MiB", bytes / (1024 * 1024))
        : String.format("%.0f KiB", bytes / 1024);
  }
}
