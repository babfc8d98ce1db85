package io.kedge.runtime.lifecycle;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Thread pools that never keep the JVM alive: a stop signal closes their owner instead. */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** A fixed pool of {@code threads} daemon threads named {@code name}. */
  public static ExecutorService pool(String name, int threads) {
    return Executors.newFixedThreadPool(
        threads,
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }
}
