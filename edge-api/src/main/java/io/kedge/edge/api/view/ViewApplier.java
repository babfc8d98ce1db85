package io.kedge.edge.api.view;

import io.kedge.edge.api.log.EntryLog;
import io.kedge.edge.api.log.LogEntry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that feeds the VIEW from the log: it replays what the log holds at start, then
 * follows new entries, and sends watch bookmarks on a fixed period.
 */
public final class ViewApplier implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ViewApplier.class);
  private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  private final View view;
  private final EntryLog log;
  private final Duration bookmarkInterval;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean caughtUp;
  private final java.util.concurrent.CompletableFuture<Void> caughtUpOnce =
      new java.util.concurrent.CompletableFuture<>();

  public ViewApplier(View view, EntryLog log, Duration bookmarkInterval, String node) {
    this.view = view;
    this.log = log;
    this.bookmarkInterval = bookmarkInterval;
    this.thread = new Thread(this::run, "kedge-view-" + node);
    thread.setDaemon(true);
  }

  public ViewApplier start() {
    thread.start();
    return this;
  }

  /** True once the entries present at start have been applied: the API may report ready. */
  public boolean caughtUp() {
    return caughtUp;
  }

  /** Completes once the entries present at start have been applied. */
  public java.util.concurrent.CompletionStage<Void> whenCaughtUp() {
    return caughtUpOnce;
  }

  private void run() {
    long nextBookmark = System.nanoTime() + bookmarkInterval.toNanos();
    long applied = 0;
    long started = System.nanoTime();
    try (EntryLog.LogReader reader = log.readAfter(view.resourceVersion())) {
      while (running) {
        long appends = log.appendCount();
        LogEntry entry = reader.next();
        if (entry != null) {
          view.apply(entry);
          applied++;
          continue;
        }
        if (!caughtUp) {
          caughtUp = true;
          LOG.info(
              "view caught up with the log: {} entries in {} ms, {} objects, resourceVersion {}",
              applied,
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
              view.size(),
              view.resourceVersion());
          caughtUpOnce.complete(null);
        }
        if (System.nanoTime() >= nextBookmark) {
          view.bookmark();
          nextBookmark = System.nanoTime() + bookmarkInterval.toNanos();
        }
        log.awaitAppend(appends, IDLE_PARK_NANOS);
      }
    } catch (RuntimeException e) {
      LOG.error(
          "view applier stopped at resourceVersion {}: {}",
          view.resourceVersion(),
          e.toString(),
          e);
    }
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
