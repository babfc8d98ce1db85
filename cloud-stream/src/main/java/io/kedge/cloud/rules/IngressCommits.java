package io.kedge.cloud.rules;

import io.kedge.runtime.lifecycle.DaemonThreads;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores what the REST ingress accepts and counts it for its rule in one Kafka transaction, so a
 * rest rule's {@code successMessages} and {@code failMessages} are exact like the other rules': the
 * message and the Rule status that counts it commit together or not at all. Requests are grouped:
 * while one transaction commits the next requests gather, and each transaction carries every
 * request that arrived meanwhile and one status per rule they touched.
 *
 * <p>An outcome that stores nothing (a servicebus answer, a refusal) is counted in the next
 * transaction; its future completes once a transaction carrying it was tried, and a count that
 * could not be committed stays queued for the next.
 */
final class IngressCommits implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IngressCommits.class);

  /** Room left in a request for the record batch's framing. */
  static final int RECORD_OVERHEAD = 1024;

  /** How long a failed transaction's counts wait before they are tried again. */
  static final Duration RETRY_BACKOFF = Duration.ofMillis(200);

  /** The most requests one transaction carries. */
  static final int MAX_BATCH = 2_000;

  /**
   * A message to store (or null) and the outcome to count for {@code route}: success when {@code
   * error} is null.
   */
  private record Pending(
      ProducerRecord<String, byte[]> record,
      RuleBook.Route route,
      String error,
      CompletableFuture<Void> done) {}

  private final Supplier<Producer<String, byte[]>> producers;
  private final RuleCounters counters;
  private final int maxRecordBytes;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();

  /** Counts a failed transaction returned: they go first into the next one. */
  private final Deque<Pending> retry = new ArrayDeque<>();

  private final Thread thread;
  private volatile boolean running = true;
  private Producer<String, byte[]> producer;

  /**
   * @param producers makes a transactional producer (again after a fatal error)
   * @param maxRecordBytes the producer's {@code max.request.size}: a larger message is refused
   *     before it could fail the transaction it would share with others
   */
  IngressCommits(
      Supplier<Producer<String, byte[]>> producers, RuleCounters counters, int maxRecordBytes) {
    this.producers = producers;
    this.counters = counters;
    this.maxRecordBytes = maxRecordBytes;
    this.thread = new Thread(this::run, "kedge-rules-ingress-commits");
    thread.setDaemon(true);
  }

  IngressCommits start() {
    thread.start();
    return this;
  }

  /**
   * Stores {@code record} and, with it, counts a success for {@code route} (or nothing, when {@code
   * route} is null: a servicebus request counts when answered). Completes once committed; fails
   * when the transaction failed, and the failure is then counted.
   */
  CompletableFuture<Void> store(ProducerRecord<String, byte[]> record, RuleBook.Route route) {
    long size = record.value().length + (record.key() == null ? 0 : record.key().length() * 4L);
    for (var header : record.headers()) {
      size += header.key().length() * 4L + header.value().length;
    }
    if (size + RECORD_OVERHEAD > maxRecordBytes) {
      RecordTooLargeException tooLarge =
          new RecordTooLargeException(
              "the message is "
                  + size
                  + " bytes, more than Kafka takes in one record (the producer's max.request.size, "
                  + maxRecordBytes
                  + " bytes, less "
                  + RECORD_OVERHEAD
                  + " bytes of framing)");
      if (route != null) {
        count(route, tooLarge.getMessage());
      }
      return CompletableFuture.failedFuture(tooLarge);
    }
    return enqueue(new Pending(record, route, null, new CompletableFuture<>()));
  }

  /** Counts an outcome that stored nothing: a success when {@code error} is null. */
  CompletableFuture<Void> count(RuleBook.Route route, String error) {
    return enqueue(new Pending(null, route, error, new CompletableFuture<>()));
  }

  private CompletableFuture<Void> enqueue(Pending pending) {
    if (!running) {
      pending.done().completeExceptionally(new IllegalStateException("the ingress is closing"));
      return pending.done();
    }
    queue.add(pending);
    return pending.done();
  }

  private void run() {
    while (running || !queue.isEmpty()) {
      try {
        List<Pending> batch = new ArrayList<>(retry);
        retry.clear();
        if (batch.isEmpty()) {
          Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
          if (first == null) {
            continue;
          }
          batch.add(first);
        }
        queue.drainTo(batch, MAX_BATCH - batch.size());
        commit(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    List<Pending> left = new ArrayList<>(retry);
    queue.drainTo(left);
    left.forEach(
        p -> p.done().completeExceptionally(new IllegalStateException("the ingress closed")));
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
  }

  private void commit(List<Pending> batch) throws InterruptedException {
    if (producer == null && !open()) {
      // Kafka unreachable: the messages are refused (503) and counted as failed once it is back
      KafkaException down = new KafkaException("Kafka cannot be reached to store the message");
      failed(batch, down);
      Thread.sleep(RETRY_BACKOFF.toMillis());
      return;
    }
    List<Runnable> undo = new ArrayList<>();
    try {
      producer.beginTransaction();
      for (Pending p : batch) {
        if (p.record() != null) {
          producer.send(p.record());
        }
        if (p.route() != null) {
          RuleCounters.Counter counter = counters.of(p.route());
          if (p.error() == null) {
            counter.succeeded();
          } else {
            counter.failed(p.error());
          }
          undo.add(() -> counter.revert(p.error()));
        }
      }
      counters.changedStatuses().forEach(producer::send);
      producer.commitTransaction();
      batch.forEach(p -> p.done().complete(null));
    } catch (KafkaException e) {
      undo.forEach(Runnable::run);
      abort(e);
      failed(batch, e);
      Thread.sleep(RETRY_BACKOFF.toMillis()); // the counts retry; not in a tight loop
    }
  }

  /** Fails the batch's messages and keeps every count for the next transaction. */
  private void failed(List<Pending> batch, KafkaException e) {
    for (Pending p : batch) {
      if (p.record() == null) {
        retry.add(p); // a count: kept for the next transaction
        p.done().complete(null);
      } else {
        if (p.route() != null) {
          retry.add(new Pending(null, p.route(), "not stored: " + e, new CompletableFuture<>()));
        }
        p.done().completeExceptionally(e);
      }
    }
  }

  private boolean open() {
    try {
      producer = producers.get();
      producer.initTransactions();
      return true;
    } catch (KafkaException e) {
      LOG.warn("REST ingress cannot start its Kafka transactions: {}; retrying", e.toString());
      if (producer != null) {
        producer.close(Duration.ZERO);
        producer = null;
      }
      return false;
    }
  }

  /** Aborts the failed transaction; a producer in a fatal state is replaced by a new one. */
  private void abort(KafkaException cause) {
    LOG.warn("REST ingress transaction failed: {}", cause.toString());
    boolean fatal =
        cause instanceof ProducerFencedException
            || cause instanceof OutOfOrderSequenceException
            || cause instanceof AuthorizationException
            || cause instanceof UnsupportedVersionException;
    if (!fatal) {
      try {
        producer.abortTransaction();
        return;
      } catch (KafkaException e) {
        LOG.warn("REST ingress transaction not aborted: {}; reopening", e.toString());
      }
    }
    producer.close(Duration.ZERO);
    producer = null;
  }

  @Override
  public void close() {
    running = false;
    DaemonThreads.join(thread, 15_000);
  }
}
