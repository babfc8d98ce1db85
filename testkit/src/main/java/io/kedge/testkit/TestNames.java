package io.kedge.testkit;

import java.util.concurrent.atomic.AtomicLong;

/** Unique topic, group, node and directory names, so tests can run beside each other. */
public final class TestNames {
  private static final AtomicLong COUNTER = new AtomicLong();
  private static final String RUN = Long.toString(System.nanoTime() % 1_000_000_000L, 36);

  private TestNames() {}

  /** {@code <prefix>-<run>-<n>}: lower-case, a valid node name and topic name. */
  public static String unique(String prefix) {
    return prefix + "-" + RUN + "-" + COUNTER.incrementAndGet();
  }
}
