package io.kedge.testkit;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Waits for a count to reach a target while it keeps moving. A shared, busy machine slows a test
 * down without bound, so a fixed deadline fails slow runs that lost nothing; a count that stops
 * short of its target for a whole stall window is what loss looks like.
 */
public final class Progress {
  private static final long POLL_MILLIS = 50;

  private Progress() {}

  /**
   * Returns once {@code count} reaches {@code target}.
   *
   * @throws AssertionError naming {@code what}, the count and the target when the count stays
   *     unchanged for {@code stall} below its target
   */
  public static void awaitCount(String what, LongSupplier count, long target, Duration stall)
      throws InterruptedException {
    long seen = count.getAsLong();
    long movedAt = System.nanoTime();
    while (seen < target) {
      Thread.sleep(POLL_MILLIS);
      long now = count.getAsLong();
      if (now != seen) {
        seen = now;
        movedAt = System.nanoTime();
      } else if (System.nanoTime() - movedAt > stall.toNanos()) {
        throw new AssertionError(
            what + ": " + seen + " of " + target + ", unchanged for " + stall.toMillis() + " ms");
      }
    }
  }
}
