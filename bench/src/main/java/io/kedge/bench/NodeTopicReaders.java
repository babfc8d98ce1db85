package io.kedge.bench;

import io.kedge.kafka.local.LocalKafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Read-committed readers of node topics from their ends, as relays read them: a consumer per node
 * topic, each on its own thread, handing every record to one callback.
 *
 * <p>Not one consumer for a whole fleet: one Kafka consumer assigned 1,000 node topics, each
 * receiving a transactional record every 0.6 s, returned them about 1 s after the broker appended
 * them (p50; with 100 of the same topics, 100 ms), and without kedge (one producer, one consumer,
 * 1,000 topics, 1,700 records/s) its p99 was seconds. That is the measuring reader's delay, not the
 * router's, and no relay pays it: each reads its own topic. A benchmark reads a sample of the
 * fleet's node topics this way.
 */
final class NodeTopicReaders implements AutoCloseable {
  /** What a reader hands over: each record read, with the wall-clock millisecond it was read. */
  interface Arrivals {
    void arrived(ConsumerRecord<String, byte[]> record, long readAtMillis);
  }

  private final List<Thread> threads = new ArrayList<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile boolean stopped;

  /**
   * Starts the readers, each from the end of its node topic, and returns once every one knows its
   * positions and has fetched for {@code warmUp} (the first fetches of a new fetch session are not
   * what is measured).
   */
  static NodeTopicReaders start(
      LocalKafkaCluster kafka, List<String> nodeTopics, Duration warmUp, Arrivals arrivals)
      throws InterruptedException {
    NodeTopicReaders readers = new NodeTopicReaders();
    CountDownLatch positioned = new CountDownLatch(nodeTopics.size());
    for (String topic : nodeTopics) {
      TopicPartition partition = new TopicPartition(topic, 0);
      Thread thread =
          new Thread(
              () -> readers.read(kafka, partition, positioned, arrivals),
              "node-topic-reader-" + topic);
      thread.setDaemon(true);
      readers.threads.add(thread);
      thread.start();
    }
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (!positioned.await(100, TimeUnit.MILLISECONDS)) {
      readers.throwIfFailed();
      if (System.nanoTime() > deadline) {
        readers.close();
        throw new IllegalStateException("node topic readers not positioned within 2 minutes");
      }
    }
    Thread.sleep(warmUp.toMillis());
    readers.throwIfFailed();
    return readers;
  }

  private void read(
      LocalKafkaCluster kafka,
      TopicPartition partition,
      CountDownLatch positioned,
      Arrivals arrivals) {
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(partition));
      consumer.seekToEnd(List.of(partition));
      consumer.position(partition);
      positioned.countDown();
      while (!stopped) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          arrivals.arrived(record, System.currentTimeMillis());
        }
      }
    } catch (Throwable e) {
      failure.compareAndSet(null, e);
    }
  }

  /** Throws what made a reader stop, if one did. */
  void throwIfFailed() {
    Throwable e = failure.get();
    if (e != null) {
      throw new IllegalStateException("a node topic reader failed: " + e, e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    stopped = true;
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    }
  }
}
