package io.kedge.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * CPU time of this process's Java threads, split by thread name: those of one component (a Kafka
 * Streams application's threads carry its id in their names) and the rest (an in-process broker,
 * the benchmark's own clients). The JVM's GC and compiler threads are not counted.
 */
final class ThreadCpu {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** CPU nanoseconds of the threads named with the marker, and of the others. */
  record Split(long markedNanos, long otherNanos) {
    /** The CPU spent since {@code earlier}. */
    Split since(Split earlier) {
      return new Split(markedNanos - earlier.markedNanos, otherNanos - earlier.otherNanos);
    }
  }

  private ThreadCpu() {}

  /**
   * The CPU time so far of the live threads whose names contain {@code marker}, and of the others.
   * A thread that ended is no longer counted, so measure over a phase in which the threads of
   * interest live throughout.
   */
  static Split of(String marker) {
    long marked = 0;
    long other = 0;
    for (ThreadInfo thread : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (thread == null) {
        continue; // ended meanwhile
      }
      long nanos = THREADS.getThreadCpuTime(thread.getThreadId());
      if (nanos < 0) {
        continue; // ended, or CPU time not measured on this JVM
      }
      if (thread.getThreadName().contains(marker)) {
        marked += nanos;
      } else {
        other += nanos;
      }
    }
    return new Split(marked, other);
  }
}
