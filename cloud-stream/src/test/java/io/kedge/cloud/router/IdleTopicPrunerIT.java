package io.kedge.cloud.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.kedge.kafka.local.LocalKafkaCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A router producer's idle topics are pruned after each flush and made anew at their next send,
 * with every record delivered once, in order, across transactions; topics with batches waiting are
 * kept. It also pins the Kafka client internals the pruner reaches: an upgrade that moves them
 * fails here.
 */
class IdleTopicPrunerIT {
  private static final int TOPICS = 30;

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES) // a batch pruned while waiting would hang its flush
  void idleTopicsArePrunedAfterEachFlushAndEveryRecordArrivesOnce() throws Exception {
    String prefix = "pruner-it-" + UUID.randomUUID().toString().substring(0, 8) + ".node-";
    List<String> topics = IntStream.range(0, TOPICS).mapToObj(n -> prefix + n).toList();
    try (LocalKafkaCluster kafka =
            LocalKafkaCluster.builder().build().start(Duration.ofMinutes(1));
        Admin admin = Admin.create(kafka.clientConfig())) {
      admin
          .createTopics(topics.stream().map(t -> new NewTopic(t, 1, (short) 1)).toList())
          .all()
          .get();

      Map<String, Object> config = new HashMap<>(kafka.clientConfig());
      config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, prefix + "txn");
      config.put(ProducerConfig.LINGER_MS_CONFIG, Router.PRODUCER_LINGER_MS);
      config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, Router.PRODUCER_COMPRESSION);
      Map<String, List<String>> sent = new HashMap<>();
      try (KafkaProducer<byte[], byte[]> kafkaProducer =
          new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
        IdleTopicPruner pruner = IdleTopicPruner.of(kafkaProducer);
        assertThat(pruner.active()).as("the pruner reaches this Kafka client's internals").isTrue();
        BurstingProducer producer = new BurstingProducer(kafkaProducer, 5, pruner);
        producer.initTransactions();

        // three transactions over overlapping topics: 0-19, 10-29, 0-29
        int[][] rounds = {{0, 20}, {10, 30}, {0, 30}};
        for (int round = 0; round < rounds.length; round++) {
          producer.beginTransaction();
          for (int n = rounds[round][0]; n < rounds[round][1]; n++) {
            String value = "round-" + round + "-" + n;
            producer.send(
                new ProducerRecord<>(topics.get(n), value.getBytes(StandardCharsets.UTF_8)));
            sent.computeIfAbsent(topics.get(n), t -> new ArrayList<>()).add(value);
          }
          // every full burst of 5 was handed over and lingers: nothing of it is pruned
          int handedOver = (rounds[round][1] - rounds[round][0]) / 5 * 5;
          assertThat(pruner.prune()).as("topics pruned with batches waiting").isZero();
          assertThat(pruner.topics()).as("topics with batches waiting").isEqualTo(handedOver);

          producer.flush();
          assertThat(pruner.topics()).as("topics left after a flush").isZero();
          producer.commitTransaction();
        }
      }

      assertThat(readCommitted(kafka, topics)).isEqualTo(sent);
    }
  }

  private static Map<String, List<String>> readCommitted(
      LocalKafkaCluster kafka, List<String> topics) {
    Map<String, Object> config = new HashMap<>(kafka.clientConfig());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "pruner-it-" + UUID.randomUUID());
    Map<String, List<String>> read = new HashMap<>();
    int expected = 20 + 20 + 30;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(topics);
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      int count = 0;
      while (count < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          read.computeIfAbsent(record.topic(), t -> new ArrayList<>())
              .add(new String(record.value(), StandardCharsets.UTF_8));
          count++;
        }
      }
      // a duplicate would arrive after the expected count: poll once more
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
        read.computeIfAbsent(record.topic(), t -> new ArrayList<>())
            .add(new String(record.value(), StandardCharsets.UTF_8));
      }
    }
    return read;
  }
}
