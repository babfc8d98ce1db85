package io.kedge.cloud.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.kedge.cloud.topics.TopicProvisioner;
import io.kedge.kafka.local.LocalKafkaCluster;
import io.kedge.schemas.KedgeTopics;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AdminNodeTopicsIT {
  private static LocalKafkaCluster kafka;
  private static Admin admin;

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = LocalKafkaCluster.builder().build().start(Duration.ofMinutes(1));
    admin = Admin.create(kafka.clientConfig());
  }

  @AfterAll
  static void stopKafka() {
    admin.close();
    kafka.close();
  }

  private static AdminNodeTopics nodeTopics(
      KedgeTopics topics, Function<String, CompletableFuture<Void>> learn, Duration window) {
    return new AdminNodeTopics(
        admin,
        topics,
        new TopicProvisioner(admin, Optional.empty(), Duration.ofSeconds(30)),
        false,
        learn,
        window);
  }

  /**
   * Node topics asked for at once are made in requests KRaft's controller accepts: it fails a whole
   * request of more than 10,000 metadata records, and a node topic makes five, so 2,100 nodes
   * joining together (or resuming their joins after a restart) need more than one request.
   */
  @Test
  void moreNodesJoiningAtOnceThanOneRequestMayCreateAllGetTheirTopics() throws Exception {
    KedgeTopics topics = new KedgeTopics("topics-it", 1, Duration.ofDays(1));
    List<String> nodes = IntStream.range(0, 2_100).mapToObj(n -> "node-" + n).toList();
    // every ask below within one window
    try (AdminNodeTopics nodeTopics =
        nodeTopics(
            topics, topic -> CompletableFuture.completedFuture(null), Duration.ofSeconds(2))) {
      List<CompletableFuture<Void>> created = nodes.stream().map(nodeTopics::ensureAsync).toList();

      CompletableFuture.allOf(created.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);

      // made means the broker knows them, not only the controller
      assertThat(admin.listTopics().names().get().stream().filter(topics::isNodeTopic))
          .hasSize(nodes.size());
    }
  }

  /**
   * A node topic counts as made once its leader has made its log: a producer that learned its
   * metadata then (as the router's do) sends its first record to it without being refused and
   * retrying, which would hold the router's whole commit for the producer's backoff.
   */
  @Test
  void aMadeTopicTakesItsFirstRecordWithoutARetry() throws Exception {
    KedgeTopics topics = new KedgeTopics("first-send-it", 1, Duration.ofDays(1));
    List<String> nodes = IntStream.range(0, 500).mapToObj(n -> "node-" + n).toList();
    try (KafkaProducer<String, String> producer =
            new KafkaProducer<>(
                kafka.clientConfig(), new StringSerializer(), new StringSerializer());
        AdminNodeTopics nodeTopics =
            nodeTopics(
                topics,
                topic -> CompletableFuture.runAsync(() -> producer.partitionsFor(topic)),
                Duration.ofMillis(200))) {
      List<CompletableFuture<RecordMetadata>> sent =
          nodes.stream()
              .map(
                  node -> {
                    CompletableFuture<RecordMetadata> appended = new CompletableFuture<>();
                    nodeTopics
                        .ensureAsync(node)
                        .thenRun(
                            () ->
                                producer.send(
                                    new ProducerRecord<>(topics.node(node).name(), node, "first"),
                                    (metadata, error) -> {
                                      if (error == null) {
                                        appended.complete(metadata);
                                      } else {
                                        appended.completeExceptionally(error);
                                      }
                                    }));
                    return appended;
                  })
              .toList();

      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);

      assertThat(sent).allSatisfy(first -> assertThat(first.get().offset()).isZero());
      assertThat(metric(producer, "record-retry-total")).isZero();
    }
  }

  private static double metric(KafkaProducer<?, ?> producer, String name) {
    return producer.metrics().entrySet().stream()
        .filter(
            e -> e.getKey().name().equals(name) && e.getKey().group().equals("producer-metrics"))
        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
        .findFirst()
        .orElseThrow();
  }
}
