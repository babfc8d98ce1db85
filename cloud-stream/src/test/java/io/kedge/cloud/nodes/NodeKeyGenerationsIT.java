package io.kedge.cloud.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kedge.cloud.topics.TopicProvisioner;
import io.kedge.kafka.local.LocalKafkaCluster;
import io.kedge.schemas.KedgeTopics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The node key topic on a real broker: read to its end before use, then followed. */
class NodeKeyGenerationsIT {
  private static LocalKafkaCluster kafka;

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = LocalKafkaCluster.builder().build().start(Duration.ofMinutes(1));
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }

  private static String topic(String name) {
    KedgeTopics topics = new KedgeTopics(name + System.nanoTime(), 1, Duration.ofDays(1));
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      new TopicProvisioner(admin, Optional.empty(), Duration.ofSeconds(30))
          .ensure(List.of(topics.nodeKeys()));
    }
    return topics.nodeKeys().name();
  }

  private static void write(String topic, String node, String value) throws Exception {
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(kafka.clientConfig(), new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, node, value)).get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void raisedGenerationsAreKnownBeforeFollowReturnsAndNeverGoDown() throws Exception {
    String topic = topic("keys");
    Map<String, Object> client = kafka.clientConfig();
    assertThat(NodeKeyGenerations.raise(client, topic, "edge-1", Duration.ofSeconds(30)))
        .isEqualTo(1);
    assertThat(NodeKeyGenerations.raise(client, topic, "edge-1", Duration.ofSeconds(30)))
        .isEqualTo(2);
    assertThat(NodeKeyGenerations.raise(client, topic, "edge-2", Duration.ofSeconds(30)))
        .isEqualTo(1);

    try (NodeKeyGenerations generations =
        NodeKeyGenerations.follow(client, topic, Duration.ofSeconds(30))) {
      // read to the end before it answers: a revoked key is refused from the first record
      assertThat(generations.current("edge-1")).isEqualTo(2);
      assertThat(generations.current("edge-2")).isEqualTo(1);
      assertThat(generations.current("edge-3")).isZero();

      NodeKeyGenerations.raise(client, topic, "edge-3", Duration.ofSeconds(30));
      write(topic, "edge-1", "1"); // lower: ignored
      write(topic, "edge-1", "many"); // not a number: ignored
      write(topic, "edge-1", null); // a tombstone withdraws nothing
      write(topic, "edge-2", "5");
      Awaitility.await("the later records followed")
          .atMost(Duration.ofSeconds(30))
          .until(() -> generations.current("edge-2") == 5 && generations.current("edge-3") == 1);
      assertThat(generations.current("edge-1")).isEqualTo(2);
    }
    assertThat(NodeKeyGenerations.read(client, topic, Duration.ofSeconds(30)))
        .containsEntry("edge-1", 2L)
        .containsEntry("edge-2", 5L)
        .containsEntry("edge-3", 1L);
  }

  @Test
  void aTopicThatCannotBeReadIsAnErrorNamingIt() {
    assertThatThrownBy(
            () ->
                NodeKeyGenerations.follow(
                    kafka.clientConfig(),
                    "no-such-topic-" + System.nanoTime(),
                    Duration.ofSeconds(3)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no-such-topic-");
  }
}
