package io.kedge.edge.relay.link;

import io.kedge.edge.relay.log.EntryBatch;
import io.kedge.runtime.lifecycle.DaemonThreads;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;

/**
 * The downlink's second thread, the log's one appender: it writes one polled batch while the
 * consumer thread fetches, parses and encodes the next, so the costs overlap instead of adding up.
 * The consumer thread encodes each batch into log entries ({@link EntryBatch}) as it submits it, so
 * the appender does no more than copy entries into the queue, which is its whole cost (page faults
 * on fresh pages of the mapped queue file).
 *
 * <p>When an append fails (disk reserve reached, I/O error) the appender drops that batch's
 * remaining records and every batch after it until the consumer thread has {@link #rewind rewound}:
 * the consumer then seeks to the last logged offset + 1, so nothing is skipped and nothing is
 * logged out of order.
 */
final class LogAppender implements AutoCloseable {
  /** Batches polled ahead of the log: enough to overlap, few enough to bound memory. */
  private static final int AHEAD = 2;

  /** A batch this large (a burst of big records) is not kept for reuse. */
  private static final int KEEP_BYTES = 4 << 20;

  /** One polled batch: the records, and the same records encoded as log entries. */
  private record Polled(ConsumerRecords<String, byte[]> records, EntryBatch entries) {}

  /** Logs one record, entry {@code entry} of {@code entries}; runs on the appender thread. */
  interface Sink {
    void log(ConsumerRecord<String, byte[]> record, EntryBatch entries, int entry);
  }

  private final BlockingQueue<Polled> batches = new ArrayBlockingQueue<>(AHEAD);
  private final BlockingQueue<EntryBatch> spare = new ArrayBlockingQueue<>(AHEAD + 2);
  private final Sink append;
  private final Runnable afterBatch;
  private final Thread thread;
  private final Object idle = new Object();
  private int pending; // submitted, not yet appended or dropped; guarded by idle
  private volatile RuntimeException failure;
  private volatile boolean running = true;

  /**
   * @param append logs one record; runs on the appender thread
   * @param afterBatch runs after every record of a batch is logged (e.g. sync)
   */
  LogAppender(String name, Sink append, Runnable afterBatch) {
    this.append = append;
    this.afterBatch = afterBatch;
    this.thread = new Thread(this::run, name);
    thread.setDaemon(true);
  }

  LogAppender start() {
    thread.start();
    return this;
  }

  /**
   * Encodes a polled batch on the calling thread and hands it to the appender, waiting while
   * {@value #AHEAD} are queued. Returns false when the appender was closed meanwhile.
   */
  boolean submit(ConsumerRecords<String, byte[]> records) throws InterruptedException {
    EntryBatch entries = spare.poll();
    if (entries == null) {
      entries = new EntryBatch();
    }
    entries.clear();
    for (ConsumerRecord<String, byte[]> record : records) {
      entries.add(
          record.partition(), record.offset(), record.key(), record.headers(), record.value());
    }
    Polled polled = new Polled(records, entries);
    synchronized (idle) {
      pending++;
    }
    while (running) {
      if (batches.offer(polled, 100, TimeUnit.MILLISECONDS)) {
        return true;
      }
    }
    done();
    return false;
  }

  /** Why appending stopped, or null while it goes on. */
  RuntimeException failure() {
    return failure;
  }

  /**
   * After a {@link #failure()}: waits until every batch submitted before has been dropped, then
   * accepts batches again. The caller seeks the consumer back to the last logged offset + 1 before
   * submitting more.
   */
  void rewind() throws InterruptedException {
    synchronized (idle) {
      while (pending > 0 && running) {
        idle.wait(100);
      }
    }
    failure = null;
  }

  private void run() {
    while (running) {
      Polled polled;
      try {
        polled = batches.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (polled == null) {
        continue;
      }
      try {
        if (failure == null) {
          int entry = 0;
          for (ConsumerRecord<String, byte[]> record : polled.records()) {
            append.log(record, polled.entries(), entry++);
          }
          afterBatch.run();
        }
      } catch (RuntimeException e) {
        failure = e; // the rest is dropped: the consumer reads it again after rewind()
      } finally {
        if (polled.entries().capacity() <= KEEP_BYTES) {
          spare.offer(polled.entries());
        }
        done();
      }
    }
  }

  private void done() {
    synchronized (idle) {
      pending--;
      idle.notifyAll();
    }
  }

  /** Stops after the batch being appended; batches still queued are read again on next start. */
  @Override
  public void close() {
    running = false;
    DaemonThreads.join(thread, 10_000);
  }
}
