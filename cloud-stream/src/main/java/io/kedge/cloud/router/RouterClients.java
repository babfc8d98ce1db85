package io.kedge.cloud.router;

import io.kedge.runtime.lifecycle.DaemonThreads;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka clients of the router, made as Kafka Streams makes them, except that its producers
 * learn the node topics' metadata off the stream thread.
 *
 * <p>A producer's first send to a topic it does not know blocks the sending thread for a metadata
 * round trip, and each answer rebuilds the producer's view of every partition it knows. With 10,000
 * node topics a new producer (after a restart, a rebalance or a fenced transaction) learned them
 * one send at a time and routed about 70 events/s, and each joining node held the stream thread for
 * about 40 ms. Here a new producer is taught every node topic at once, and a new node's topic
 * before the node is activated; lookups made from many threads together go to the broker as one
 * metadata request.
 */
final class RouterClients implements KafkaClientSupplier, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RouterClients.class);

  /** Lookups in flight at once: the topics of one metadata request, at most. */
  private static final int LOOKUPS = 64;

  /**
   * Sends a stream thread's producer holds at most before handing them over (BurstingProducer); a
   * commit hands them over sooner, every {@link Router#COMMIT_INTERVAL_MS}.
   */
  static final int BURST = 1_024;

  private final Supplier<Collection<String>> nodeTopics;

  /**
   * A live Kafka producer, the one Kafka Streams was given around it (holding its sends), and what
   * the Kafka producer is taught at its start.
   */
  private record Taught(
      Producer<byte[], byte[]> producer,
      Producer<byte[], byte[]> given,
      CompletableFuture<Void> teaching) {}

  /** The live producers by client id: a stream thread's new producer replaces its closed one. */
  private final Map<Object, Taught> producers = new ConcurrentHashMap<>();

  private final ExecutorService lookups = DaemonThreads.pool("kedge-node-topic-lookups", LOOKUPS);

  /**
   * @param nodeTopics the node topics that exist, taught to every new producer
   */
  RouterClients(Supplier<Collection<String>> nodeTopics) {
    this.nodeTopics = nodeTopics;
  }

  @Override
  public Admin getAdmin(Map<String, Object> config) {
    return Admin.create(config);
  }

  @Override
  public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
    KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    Object clientId = config.getOrDefault(ProducerConfig.CLIENT_ID_CONFIG, producer);
    CompletableFuture<Void> teaching = new CompletableFuture<>();
    BurstingProducer bursting = new BurstingProducer(producer, BURST, IdleTopicPruner.of(producer));
    producers.put(clientId, new Taught(producer, bursting, teaching));
    CompletableFuture.supplyAsync(() -> teachAll(producer), lookups)
        .thenCompose(taught -> taught)
        .whenComplete((ok, error) -> teaching.complete(null));
    return bursting;
  }

  @Override
  public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
    return consumer(config);
  }

  @Override
  public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
    return consumer(config);
  }

  @Override
  public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
    return consumer(config);
  }

  private static Consumer<byte[], byte[]> consumer(Map<String, Object> config) {
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Teaches every producer {@code topic}; completes when they know it. A lookup that fails leaves
   * the topic for the producer's first send to learn, so the future never fails.
   */
  CompletableFuture<Void> learn(String topic) {
    List<CompletableFuture<Void>> lookedUp =
        producers.values().stream()
            .map(Taught::producer)
            .map(producer -> CompletableFuture.runAsync(() -> lookUp(producer, topic), lookups))
            .toList();
    return CompletableFuture.allOf(lookedUp.toArray(CompletableFuture[]::new));
  }

  /** Completes when {@code producer} knows the node topics that existed when it was made. */
  CompletableFuture<Void> taught(Producer<byte[], byte[]> producer) {
    return producers.values().stream()
        .filter(taught -> taught.given() == producer)
        .map(Taught::teaching)
        .findFirst()
        .orElse(CompletableFuture.completedFuture(null));
  }

  private CompletableFuture<Void> teachAll(Producer<byte[], byte[]> producer) {
    Collection<String> topics;
    try {
      topics = nodeTopics.get();
    } catch (RuntimeException e) {
      LOG.warn("cannot list the node topics for a new router producer: {}", e.toString());
      return CompletableFuture.completedFuture(null);
    }
    long start = System.nanoTime();
    List<CompletableFuture<Void>> lookedUp =
        topics.stream()
            .map(topic -> CompletableFuture.runAsync(() -> lookUp(producer, topic), lookups))
            .toList();
    return CompletableFuture.allOf(lookedUp.toArray(CompletableFuture[]::new))
        .thenRun(
            () ->
                LOG.info(
                    "a new router producer learned {} node topics in {} ms",
                    topics.size(),
                    (System.nanoTime() - start) / 1_000_000));
  }

  private void lookUp(Producer<byte[], byte[]> producer, String topic) {
    if (producers.values().stream().noneMatch(taught -> taught.producer() == producer)) {
      return; // replaced: Kafka Streams closed it (a fenced transaction, a migrated thread)
    }
    try {
      producer.partitionsFor(topic);
    } catch (RuntimeException e) {
      LOG.debug("metadata of {} not learned ahead: {}", topic, e.toString());
    }
  }

  @Override
  public void close() {
    producers.clear();
    lookups.shutdownNow();
  }
}
