package io.kedge.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.kedge.kafka.local.LocalKafkaMain;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker as its own process: killed with SIGKILL and restarted on the same port and data. */
class LocalKafkaProcessIT {
  private static final Pattern READY = Pattern.compile("kedge-kafka ready 127\\.0\\.0\\.1:\\d+");

  @Test
  void brokerSurvivesKillNineWithItsData(@TempDir Path tmp) throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path data = tmp.resolve("kafka");
    List<String> args = List.of(Integer.toString(port), data.toString());
    String bootstrap = "127.0.0.1:" + port;
    String topic = TestNames.unique("durable");

    try (ChildJvm broker =
        ChildJvm.start(
            "kafka", LocalKafkaMain.class, List.of(), args, tmp.resolve("kafka-1.log"))) {
      broker.awaitOutput(READY, Duration.ofSeconds(90));
      try (Admin admin =
          Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        admin
            .createTopics(Set.of(new NewTopic(topic, 1, (short) 1)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      try (KafkaProducer<String, String> producer = producer(bootstrap)) {
        producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS);
      }
      broker.kill9();
      assertThat(broker.isAlive()).isFalse();
    }

    try (ChildJvm broker =
        ChildJvm.start(
            "kafka", LocalKafkaMain.class, List.of(), args, tmp.resolve("kafka-2.log"))) {
      broker.awaitOutput(READY, Duration.ofSeconds(90));
      try (Admin admin =
          Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        long end =
            admin
                .listOffsets(
                    Map.of(
                        new org.apache.kafka.common.TopicPartition(topic, 0),
                        org.apache.kafka.clients.admin.OffsetSpec.latest()))
                .all()
                .get(30, TimeUnit.SECONDS)
                .values()
                .iterator()
                .next()
                .offset();
        assertThat(end).isEqualTo(1);
      }
      assertThat(broker.stop(Duration.ofSeconds(60))).isIn(0, 143);
    }
  }

  private static KafkaProducer<String, String> producer(String bootstrap) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
        new StringSerializer(),
        new StringSerializer());
  }
}
