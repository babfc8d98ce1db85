package io.kedge.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of this process's Java threads, split by thread name: those of one component (a Kafka
 * Streams application's threads carry its id in their names) and the rest (an in-process broker,
 * the benchmark's own clients). The JVM's GC and compiler threads are not counted.
 */
final class ThreadCpu {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** CPU nanoseconds of the threads named with the marker, and of the others. */
  record Split(long markedNanos, long otherNanos) {}

  private final String marker;
  private final Map<Long, Long> nanosByThread;

  private ThreadCpu(String marker, Map<Long, Long> nanosByThread) {
    this.marker = marker;
    this.nanosByThread = nanosByThread;
  }

  /** The CPU time so far of every live thread, to be split by {@code marker} later. */
  static ThreadCpu start(String marker) {
    Map<Long, Long> nanos = new HashMap<>();
    for (long id : THREADS.getAllThreadIds()) {
      long cpu = THREADS.getThreadCpuTime(id);
      if (cpu >= 0) { // -1: ended meanwhile, or CPU time not measured on this JVM
        nanos.put(id, cpu);
      }
    }
    return new ThreadCpu(marker, nanos);
  }

  /**
   * The CPU time live threads spent since {@link #start}: a thread started since counts whole, one
   * that ended since is not counted, so measure over a phase in which the threads of interest live
   * throughout.
   */
  Split sinceStart() {
    long marked = 0;
    long other = 0;
    for (ThreadInfo thread : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (thread == null) {
        continue; // ended meanwhile
      }
      long cpu = THREADS.getThreadCpuTime(thread.getThreadId());
      if (cpu < 0) {
        continue;
      }
      long spent = cpu - nanosByThread.getOrDefault(thread.getThreadId(), 0L);
      if (thread.getThreadName().contains(marker)) {
        marked += spent;
      } else {
        other += spent;
      }
    }
    return new Split(marked, other);
  }
}
