package io.kedge.cloud.rules;

import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.RuleMessage;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kafka → eventbus rules: each record of a rule's source topic becomes a rule message to its node's
 * eventbus topic, exactly once (consume, produce and commit in one Kafka transaction). The source
 * topics are re-read from the rules every few seconds, so rules can come and go.
 */
public final class KafkaSourceBridge implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaSourceBridge.class);
  private static final Duration IDLE_CHECK = Duration.ofSeconds(1);

  private final RuleBook book;
  private final Consumer<String, byte[]> consumer;
  private final Producer<String, byte[]> producer;
  private final KedgeTopics topics;
  private final EventCodec codec;
  private final CompletableFuture<Void> rulesLoaded;
  private final RuleCounters counters;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile Set<String> sourceTopics = Set.of();

  /**
   * @param producer transactional, not yet initialised
   * @param consumer in a group, {@code read_committed}, auto-commit off
   */
  public KafkaSourceBridge(
      RuleBook book,
      Consumer<String, byte[]> consumer,
      Producer<String, byte[]> producer,
      KedgeTopics topics,
      EventCodec codec,
      CompletableFuture<Void> rulesLoaded,
      MeterRegistry metrics) {
    this.book = book;
    this.consumer = consumer;
    this.producer = producer;
    this.topics = topics;
    this.codec = codec;
    this.rulesLoaded = rulesLoaded;
    this.counters = new RuleCounters(book, codec, topics.resources().name(), metrics);
    this.thread = new Thread(this::run, "kedge-rules-kafka-source");
    thread.setDaemon(true);
  }

  public KafkaSourceBridge start() {
    thread.start();
    return this;
  }

  /** The source topics followed now. */
  public Set<String> sourceTopics() {
    return sourceTopics;
  }

  private void run() {
    try {
      // a message must not be judged against half the rules
      if (!ResourceFollower.await(rulesLoaded, () -> running)) {
        return;
      }
      producer.initTransactions();
      Set<String> subscribed = Set.of();
      long seen = -1;
      while (running) {
        long generation = book.generation();
        if (generation != seen) { // the rules changed: their kafka sources may have too
          seen = generation;
          Set<String> wanted =
              book.kafkaSourceRoutes().stream()
                  .map(r -> r.sourceResource().path("topic").asText())
                  .collect(Collectors.toCollection(TreeSet::new));
          if (!wanted.equals(subscribed)) {
            if (wanted.isEmpty()) {
              consumer.unsubscribe();
            } else {
              consumer.subscribe(wanted);
            }
            LOG.info("rules: kafka sources now {}", wanted);
            subscribed = wanted;
            sourceTopics = Set.copyOf(wanted);
          }
        }
        if (subscribed.isEmpty()) {
          book.awaitChange(seen, IDLE_CHECK); // a new rule wakes it; the timeout sees a close
          continue;
        }
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
        if (!records.isEmpty()) {
          forward(records);
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (KafkaException e) {
      LOG.error("rules kafka source stopped: {}", e.toString(), e);
    } finally {
      consumer.close();
    }
  }

  /** One transaction: the rule messages, the status of the rules, and the consumed offsets. */
  private void forward(ConsumerRecords<String, byte[]> records) {
    producer.beginTransaction();
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (ConsumerRecord<String, byte[]> record : records) {
      for (RuleBook.Route route : routesFor(record.topic())) {
        String node = route.sourceResource().path("node_name").asText();
        String id = record.topic() + "-" + record.partition() + "-" + record.offset();
        RuleMessage message =
            new RuleMessage(
                id,
                node,
                route.namespace(),
                route.name(),
                "eventbus",
                route.targetResource().path("topic").asText(),
                Map.of(),
                record.value());
        producer.send(
            codec.toRecord(
                topics.node(node).name(),
                id,
                KedgeEvent.of(URI.create("/kedge/rules/kafka"), "", message)));
        counters.of(route).succeeded();
      }
      offsets.put(
          new TopicPartition(record.topic(), record.partition()),
          new OffsetAndMetadata(record.offset() + 1));
    }
    counters.changedStatuses().forEach(producer::send);
    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
    producer.commitTransaction();
  }

  private List<RuleBook.Route> routesFor(String topic) {
    return book.kafkaSourceRoutes().stream()
        .filter(r -> r.sourceResource().path("topic").asText().equals(topic))
        .toList();
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    DaemonThreads.join(thread, 15_000);
  }
}
