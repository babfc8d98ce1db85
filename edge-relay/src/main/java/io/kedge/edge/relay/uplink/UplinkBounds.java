package io.kedge.edge.relay.uplink;

import java.time.Duration;

/**
 * How much the uplink queue may hold while the cloud is away, and what happens when it is full.
 *
 * @param maxEvents events waiting for the broker's acknowledgement
 * @param maxAge the oldest waiting event's age
 * @param policy REJECT refuses new events with a clear error to the writer (nothing already queued
 *     is lost); DROP_OLDEST makes room by dropping the oldest, counted and logged
 */
public record UplinkBounds(long maxEvents, Duration maxAge, FullPolicy policy) {
  /** What a full uplink does. */
  public enum FullPolicy {
    REJECT,
    DROP_OLDEST
  }

  public UplinkBounds {
    if (maxEvents < 1) {
      throw new IllegalArgumentException("maxEvents must be >= 1, got " + maxEvents);
    }
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("maxAge must be positive, got " + maxAge);
    }
  }

  /** No practical bound: for tests and tools. */
  public static UplinkBounds unbounded() {
    return new UplinkBounds(Long.MAX_VALUE, Duration.ofDays(36_500), FullPolicy.REJECT);
  }
}
