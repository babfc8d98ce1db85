package io.kedge.kafka.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class LocalKafkaClusterIT {

  @Test
  void singleNodeCarriesTenThousandRecordsInOrderAndCleansUp() throws Exception {
    java.nio.file.Path dir;
    try (LocalKafkaCluster kafka =
        LocalKafkaCluster.builder().build().start(Duration.ofSeconds(60))) {
      dir = kafka.dataDir();
      createTopic(kafka, "records", 1, (short) 1);
      List<String> sent = new ArrayList<>();
      try (KafkaProducer<String, String> producer = producer(kafka)) {
        for (int i = 0; i < 10_000; i++) {
          String value = "record-" + i;
          sent.add(value);
          producer.send(new ProducerRecord<>("records", Integer.toString(i), value));
        }
        producer.flush();
      }
      assertThat(consumeAll(kafka, "records", 10_000)).containsExactlyElementsOf(sent);
    }
    assertThat(dir).doesNotExist();
  }

  @Test
  void threeNodeClusterKeepsServingWhenOneNodeStops() throws Exception {
    try (LocalKafkaCluster kafka =
        LocalKafkaCluster.builder().nodes(3).build().start(Duration.ofSeconds(90))) {
      createTopic(kafka, "replicated", 1, (short) 3);
      try (KafkaProducer<String, String> producer = producer(kafka)) {
        producer.send(new ProducerRecord<>("replicated", "k", "before")).get(30, TimeUnit.SECONDS);
        kafka.stopNode(1);
        producer.send(new ProducerRecord<>("replicated", "k", "after")).get(60, TimeUnit.SECONDS);
      }
      kafka.startNode(1);
      assertThat(consumeAll(kafka, "replicated", 2)).containsExactly("before", "after");
    }
  }

  private static void createTopic(LocalKafkaCluster kafka, String name, int partitions, short rf)
      throws Exception {
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      admin
          .createTopics(Set.of(new NewTopic(name, partitions, rf)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static KafkaProducer<String, String> producer(LocalKafkaCluster kafka) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  private static List<String> consumeAll(LocalKafkaCluster kafka, String topic, int expected) {
    Map<String, Object> props =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (values.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          values.add(record.value());
        }
      }
    }
    return values;
  }
}
