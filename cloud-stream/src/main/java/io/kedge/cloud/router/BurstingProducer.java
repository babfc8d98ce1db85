package io.kedge.cloud.router;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.metrics.KafkaMetric;

/**
 * A producer that holds a stream thread's sends and hands them to the Kafka producer in bursts: at
 * every flush and transaction step, and whenever {@code burst} records are held.
 *
 * <p>Each pass of the Kafka producer's sender thread walks every topic it holds batches for (every
 * topic it ever wrote to, unless an {@link IdleTopicPruner} removes the idle ones after each
 * flush). Sent one by one, the router's records opened a batch each (its events spread over node
 * topics), woke the sender each time, and left in many small requests, a pass each. Held and handed
 * over together at the commit's flush, with the router's long linger, they leave in a few large
 * requests (decision record 0008). Nothing becomes visible later: readers of node topics read
 * committed records, and a transaction commits only after a flush, which hands everything over.
 *
 * <p>Used by one stream thread, as Kafka Streams uses its producers; metadata lookups from other
 * threads go to the Kafka producer directly.
 */
final class BurstingProducer implements Producer<byte[], byte[]> {
  private record Held(ProducerRecord<byte[], byte[]> record, Callback callback) {}

  private final Producer<byte[], byte[]> producer;
  private final int burst;
  private final IdleTopicPruner idleTopics;
  private List<Held> held = new ArrayList<>();

  /**
   * @param producer the Kafka producer the bursts go to
   * @param burst the records held at most before they are handed over
   */
  BurstingProducer(Producer<byte[], byte[]> producer, int burst) {
    this(producer, burst, IdleTopicPruner.NONE);
  }

  /**
   * @param producer the Kafka producer the bursts go to
   * @param burst the records held at most before they are handed over
   * @param idleTopics prunes the Kafka producer's idle topics after each flush
   */
  BurstingProducer(Producer<byte[], byte[]> producer, int burst, IdleTopicPruner idleTopics) {
    if (burst < 1) {
      throw new IllegalArgumentException("burst must be at least 1, was " + burst);
    }
    this.producer = producer;
    this.burst = burst;
    this.idleTopics = idleTopics;
  }

  @Override
  public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
    return send(record, null);
  }

  @Override
  public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
    CompletableFuture<RecordMetadata> sent = new CompletableFuture<>();
    held.add(
        new Held(
            record,
            (metadata, error) -> {
              if (error == null) {
                sent.complete(metadata);
              } else {
                sent.completeExceptionally(error);
              }
              if (callback != null) {
                callback.onCompletion(metadata, error);
              }
            }));
    if (held.size() >= burst) {
      handOver();
    }
    return sent;
  }

  /**
   * Hands every held record to the Kafka producer, in the order sent. A send that throws fails its
   * record and every later one through their callbacks, and the exception goes to the caller, as if
   * the send had thrown it.
   */
  private void handOver() {
    if (held.isEmpty()) {
      return;
    }
    // a callback may send again (a dead-letter record), into the next burst
    List<Held> burstOfSends = held;
    held = new ArrayList<>();
    for (int i = 0; i < burstOfSends.size(); i++) {
      Held send = burstOfSends.get(i);
      try {
        producer.send(send.record(), send.callback());
      } catch (RuntimeException e) {
        for (Held failed : burstOfSends.subList(i, burstOfSends.size())) {
          failed.callback().onCompletion(unsent(failed.record()), e);
        }
        throw e;
      }
    }
  }

  /** What a Kafka producer reports for a record it did not send: its topic, and -1 elsewhere. */
  private static RecordMetadata unsent(ProducerRecord<byte[], byte[]> record) {
    int partition = record.partition() == null ? -1 : record.partition();
    return new RecordMetadata(new TopicPartition(record.topic(), partition), -1, -1, -1, -1, -1);
  }

  /**
   * Hands over what is held and waits until every record sent is acknowledged; then nothing waits
   * in the Kafka producer, and the topics this stream thread did not just write to are pruned from
   * it.
   */
  @Override
  public void flush() {
    handOver();
    producer.flush();
    idleTopics.prune();
  }

  @Override
  public void initTransactions() {
    producer.initTransactions();
  }

  @Override
  public void beginTransaction() throws ProducerFencedException {
    producer.beginTransaction();
  }

  @Override
  public void sendOffsetsToTransaction(
      Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata groupMetadata) {
    handOver();
    producer.sendOffsetsToTransaction(offsets, groupMetadata);
  }

  @Override
  public void commitTransaction() {
    handOver();
    producer.commitTransaction();
  }

  /**
   * Held records join the transaction before it is aborted, so their callbacks hear of the abort as
   * the Kafka producer tells it; a producer that cannot take them any more fails them instead.
   */
  @Override
  public void abortTransaction() {
    try {
      handOver();
    } catch (RuntimeException e) {
      // already failed through their callbacks; the abort below reports the producer's state
    }
    producer.abortTransaction();
  }

  @Override
  public void registerMetricForSubscription(KafkaMetric metric) {
    producer.registerMetricForSubscription(metric);
  }

  @Override
  public void unregisterMetricFromSubscription(KafkaMetric metric) {
    producer.unregisterMetricFromSubscription(metric);
  }

  @Override
  public List<PartitionInfo> partitionsFor(String topic) {
    return producer.partitionsFor(topic);
  }

  @Override
  public Map<MetricName, ? extends Metric> metrics() {
    return producer.metrics();
  }

  @Override
  public Uuid clientInstanceId(Duration timeout) {
    return producer.clientInstanceId(timeout);
  }

  @Override
  public void close() {
    close(Duration.ofMillis(Long.MAX_VALUE));
  }

  /** Held records go to the Kafka producer first, which sends them within {@code timeout}. */
  @Override
  public void close(Duration timeout) {
    try {
      handOver();
    } catch (RuntimeException e) {
      // failed through their callbacks; closing goes on
    } finally {
      producer.close(timeout);
    }
  }
}
