package io.kedge.edge.relay.link;

import io.kedge.runtime.lifecycle.DaemonThreads;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;

/**
 * The downlink's second thread, the log's one appender: it writes one polled batch while the
 * consumer thread fetches and parses the next, so the two costs overlap instead of adding up.
 *
 * <p>When an append fails (disk reserve reached, I/O error) the appender drops that batch's
 * remaining records and every batch after it until the consumer thread has {@link #rewind rewound}:
 * the consumer then seeks to the last logged offset + 1, so nothing is skipped and nothing is
 * logged out of order.
 */
final class LogAppender implements AutoCloseable {
  /** Batches polled ahead of the log: enough to overlap, few enough to bound memory. */
  private static final int AHEAD = 2;

  private final BlockingQueue<ConsumerRecords<ByteBuffer, ByteBuffer>> batches =
      new ArrayBlockingQueue<>(AHEAD);
  private final Consumer<ConsumerRecord<ByteBuffer, ByteBuffer>> append;
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
  LogAppender(
      String name, Consumer<ConsumerRecord<ByteBuffer, ByteBuffer>> append, Runnable afterBatch) {
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
   * Hands a polled batch to the appender, waiting while {@value #AHEAD} are queued. Returns false
   * when the appender was closed meanwhile.
   */
  boolean submit(ConsumerRecords<ByteBuffer, ByteBuffer> records) throws InterruptedException {
    synchronized (idle) {
      pending++;
    }
    while (running) {
      if (batches.offer(records, 100, TimeUnit.MILLISECONDS)) {
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
      ConsumerRecords<ByteBuffer, ByteBuffer> records;
      try {
        records = batches.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (records == null) {
        continue;
      }
      try {
        if (failure == null) {
          for (ConsumerRecord<ByteBuffer, ByteBuffer> record : records) {
            append.accept(record);
          }
          afterBatch.run();
        }
      } catch (RuntimeException e) {
        failure = e; // the rest is dropped: the consumer reads it again after rewind()
      } finally {
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
