package io.kedge.cloud.nodes;

import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.schemas.authorization.NodeSignatures;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generation of every node's current upstream key, as {@code <prefix>.node-keys} records it:
 * {@code kedge node add} and {@code remove} raise a node's generation, and from then on the cloud
 * refuses what that node's older keys sign. A cloud process {@link #follow follows} the topic: it
 * reads it to its end before it checks any signature, so a revoked key is refused from the first
 * record, then applies new generations as they are written. A generation never goes down.
 */
public final class NodeKeyGenerations implements NodeSignatures.Generations, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeKeyGenerations.class);

  private final Map<String, Long> current = new ConcurrentHashMap<>();
  private final String topic;
  private final KafkaConsumer<String, String> consumer;
  private Thread thread;
  private volatile boolean running = true;

  private NodeKeyGenerations(Map<String, Object> clientConfig, String topic) {
    this.topic = topic;
    Map<String, Object> props = new HashMap<>(clientConfig);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
  }

  /**
   * Reads {@code topic} to its end, then follows it on a daemon thread until closed.
   *
   * @throws IllegalStateException naming the topic when it cannot be read to its end in {@code
   *     timeout}
   */
  public static NodeKeyGenerations follow(
      Map<String, Object> clientConfig, String topic, Duration timeout) {
    NodeKeyGenerations generations = new NodeKeyGenerations(clientConfig, topic);
    try {
      generations.readToEnd(timeout);
    } catch (RuntimeException e) {
      generations.consumer.close();
      throw e;
    }
    generations.thread = new Thread(generations::run, "node-key-generations");
    generations.thread.setDaemon(true);
    generations.thread.start();
    return generations;
  }

  /**
   * Follows {@code config}'s node key topic, creating it if need be; read to its end before this
   * returns.
   */
  public static NodeKeyGenerations follow(io.kedge.cloud.CloudConfig config) {
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(config.kafkaClientConfig())) {
      ensureTopic(admin, config.topics(), Duration.ofSeconds(30));
    }
    return follow(
        config.kafkaClientConfig(), config.topics().nodeKeys().name(), Duration.ofSeconds(60));
  }

  /** Creates {@code topics}' node key topic unless it exists. */
  public static void ensureTopic(
      org.apache.kafka.clients.admin.Admin admin,
      io.kedge.schemas.KedgeTopics topics,
      Duration timeout) {
    new io.kedge.cloud.topics.TopicProvisioner(admin, java.util.Optional.empty(), timeout)
        .ensure(List.of(topics.nodeKeys()));
  }

  /** Every node's current generation, read once to the topic's end (for the CLI). */
  public static Map<String, Long> read(
      Map<String, Object> clientConfig, String topic, Duration timeout) {
    try (NodeKeyGenerations generations = new NodeKeyGenerations(clientConfig, topic)) {
      generations.readToEnd(timeout);
      return Map.copyOf(generations.current);
    }
  }

  /**
   * Gives {@code node} a new key generation, one above the topic's current one, and returns it. The
   * cloud refuses the node's older keys once it has read the record.
   *
   * @throws IllegalStateException naming the topic when it cannot be read or written in {@code
   *     timeout}
   */
  public static long raise(
      Map<String, Object> clientConfig, String topic, String node, Duration timeout) {
    long next = read(clientConfig, topic, timeout).getOrDefault(node, 0L) + 1;
    Map<String, Object> props = new HashMap<>(clientConfig);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      producer
          .send(new ProducerRecord<>(topic, node, Long.toString(next)))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot write node " + node + "'s key generation to " + topic + ": " + e.getCause(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "Kafka did not take node "
              + node
              + "'s key generation on "
              + topic
              + " within "
              + timeout,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing to " + topic, e);
    }
    return next;
  }

  @Override
  public long current(String node) {
    return current.getOrDefault(node, 0L);
  }

  private void readToEnd(Duration timeout) {
    TopicPartition partition = new TopicPartition(topic, 0);
    long deadline = System.nanoTime() + timeout.toNanos();
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
    long end;
    try {
      end = consumer.endOffsets(List.of(partition), timeout).get(partition);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new IllegalStateException(
          "cannot read the node key generations in " + topic + " within " + timeout, e);
    }
    while (consumer.position(partition, timeout) < end) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "cannot read the node key generations in "
                + topic
                + " to offset "
                + end
                + " within "
                + timeout);
      }
      apply(consumer.poll(Duration.ofMillis(200)));
    }
    LOG.info("node key generations: {} nodes with a new key in {}", current.size(), topic);
  }

  private void run() {
    try {
      while (running) {
        try {
          apply(consumer.poll(Duration.ofSeconds(1)));
        } catch (WakeupException e) {
          throw e;
        } catch (RuntimeException e) {
          // keep following: a revocation missed here would let an old key pass
          LOG.error("reading node key generations in {} failed; retrying in 1 s", topic, e);
          LockSupport.parkNanos(1_000_000_000L);
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close();
    }
  }

  private void apply(Iterable<ConsumerRecord<String, String>> records) {
    for (ConsumerRecord<String, String> record : records) {
      if (record.key() == null || record.value() == null) {
        continue; // a generation is never withdrawn
      }
      long generation;
      try {
        generation = Long.parseLong(record.value().strip());
      } catch (NumberFormatException e) {
        LOG.warn(
            "{} offset {}: node {}'s key generation '{}' is not a number; ignored",
            topic,
            record.offset(),
            record.key(),
            record.value());
        continue;
      }
      current.merge(record.key(), generation, Math::max);
    }
  }

  @Override
  public void close() {
    running = false;
    if (thread == null) {
      consumer.close();
      return;
    }
    consumer.wakeup();
    DaemonThreads.join(thread, 5_000);
  }
}
