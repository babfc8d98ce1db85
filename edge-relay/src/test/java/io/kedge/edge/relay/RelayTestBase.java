package io.kedge.edge.relay;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.view.ResourceType;
import io.kedge.edge.api.view.WatchFilter;
import io.kedge.kafka.local.LocalKafkaCluster;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.schemas.ResyncBegin;
import io.kedge.schemas.ResyncEnd;
import io.kedge.schemas.ResyncRequest;
import io.kedge.testkit.TestNames;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A real in-process broker, the node topics and helpers to run an edge node against them. */
abstract class RelayTestBase {
  static final URI SOURCE = URI.create("/kedge/test");
  static final String NODE = "edge-1";
  final EventCodec codec = new EventCodec();
  LocalKafkaCluster kafka;
  KedgeTopics topics;
  Admin admin;
  KafkaProducer<String, byte[]> producer;
  @TempDir Path tmp;

  @BeforeEach
  void start() throws Exception {
    kafka =
        cluster(LocalKafkaCluster.builder().dataDir(tmp.resolve("kafka")))
            .build()
            .start(Duration.ofSeconds(60));
    topics = new KedgeTopics(TestNames.unique("relay"), 1, Duration.ofDays(1));
    admin = Admin.create(kafka.clientConfig());
    admin
        .createTopics(
            List.of(
                new NewTopic(topics.node(NODE).name(), 1, (short) 1),
                new NewTopic(topics.upstream().name(), 1, (short) 1)))
        .all()
        .get(30, TimeUnit.SECONDS);
    producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all"),
            new StringSerializer(),
            new ByteArraySerializer());
  }

  /** The broker's settings: a subclass adds listeners or security. */
  LocalKafkaCluster.Builder cluster(LocalKafkaCluster.Builder builder) {
    return builder;
  }

  @AfterEach
  void stop() {
    producer.close();
    admin.close();
    kafka.close();
  }

  EdgeNode startEdge() throws InterruptedException {
    return startEdge(Map.of());
  }

  /** Starts the node on free ports, with {@code flags} on top of the test defaults. */
  EdgeNode startEdge(Map<String, Object> flags) throws InterruptedException {
    return EdgeNode.start(
        EdgeConfig.embedded(
            NODE, kafka.bootstrapServers(), topics.prefix(), tmp.resolve("edge"), flags),
        "test");
  }

  void send(Object data) throws Exception {
    KedgeEvent event = KedgeEvent.of(SOURCE, "", (io.kedge.schemas.EventData) data);
    producer.send(codec.toRecord(topics.node(NODE).name(), "k", event)).get(30, TimeUnit.SECONDS);
  }

  static ObjectNode pod(String name) {
    ObjectNode pod = EventCodec.json().createObjectNode();
    pod.put("apiVersion", "v1").put("kind", "Pod");
    pod.putObject("metadata").put("name", name).put("namespace", "default");
    pod.putObject("spec").put("nodeName", NODE);
    return pod;
  }

  static ResourceUpsert upsert(String name) {
    ObjectNode pod = pod(name);
    return new ResourceUpsert(ObjectKey.of(pod), name, pod);
  }

  /** Answers the relay's resync request as the router would, with {@code objects}. */
  void answerResync(int nth, List<String> objects) throws Exception {
    ResyncRequest request = awaitResyncRequest(nth);
    send(new ResyncBegin(request.requestId()));
    for (String name : objects) {
      send(upsert(name));
    }
    send(new ResyncEnd(request.requestId(), objects.size()));
  }

  ResyncRequest awaitResyncRequest(int nth) {
    List<ResyncRequest> found = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = upstreamConsumer()) {
      Awaitility.await("resync request")
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                  if (codec.decode(r.headers(), r.value()).data()
                      instanceof ResyncRequest request) {
                    found.add(request);
                  }
                }
                return found.size() >= nth;
              });
    }
    return found.get(nth - 1);
  }

  KafkaConsumer<String, byte[]> upstreamConsumer() {
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    consumer.assign(List.of(new TopicPartition(topics.upstream().name(), 0)));
    consumer.seekToBeginning(consumer.assignment());
    return consumer;
  }

  static List<String> podNames(EdgeNode edge) {
    ResourceType pods = edge.view().types().byResource("", "v1", "pods").orElseThrow();
    return edge.view().list(WatchFilter.all(pods)).items().stream()
        .map(o -> o.path("metadata").path("name").asText())
        .toList();
  }
}
