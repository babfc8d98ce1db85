package io.kedge.runtime.lifecycle;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Thread pools that never keep the JVM alive: a stop signal closes their owner instead. */
public final class DaemonThreads {
  private DaemonThreads() {}

  /**
   * Daemon threads named {@code name}, made as tasks arrive and kept for a minute once idle: for
   * blocking work whose concurrency its caller bounds.
   */
  public static ExecutorService cached(String name) {
    return Executors.newCachedThreadPool(factory(name));
  }

  /**
   * At most {@code threads} daemon threads named {@code name}, made as tasks arrive and ended after
   * a minute idle; further tasks wait in order. An idle pool holds no threads.
   */
  public static ExecutorService pool(String name, int threads) {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads, threads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), factory(name));
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** One daemon thread named {@code name} for periodic work. */
  public static ScheduledExecutorService scheduled(String name) {
    return Executors.newSingleThreadScheduledExecutor(factory(name));
  }

  /**
   * Sleeps {@code millis}; false when interrupted (the thread's interrupt flag is set again), so a
   * loop can stop.
   */
  public static boolean sleep(long millis) {
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Waits up to {@code millis} for a stopping thread to end; when interrupted, gives up waiting and
   * sets the caller's interrupt flag again.
   */
  public static void join(Thread thread, long millis) {
    try {
      thread.join(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Several daemon threads named {@code name} for scheduled and blocking work. */
  public static ScheduledExecutorService scheduled(String name, int threads) {
    return Executors.newScheduledThreadPool(threads, factory(name));
  }

  private static ThreadFactory factory(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
