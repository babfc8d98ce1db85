package io.kedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.kedge.edge.relay.EdgeNode;
import io.kedge.edge.relay.link.LinkState;
import io.kedge.schemas.DeadLetter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario (g): poison records in kedge.resources go to kedge.deadletter with their coordinates,
 * malformed requests to the edge API get 4xx Status answers, and the pipeline goes on: pods sent
 * after each reach the edge.
 */
class PoisonIT {
  private static final String NODE = "edge-1";

  @Test
  void poisonIsDeadLetteredBadRequestsGet4xxAndThePipelineGoesOn(@TempDir Path tmp)
      throws Exception {
    long started = System.nanoTime();
    try (CloudEnvironment cloud = new CloudEnvironment("poison", tmp);
        KafkaProducer<String, byte[]> raw =
            new KafkaProducer<>(
                Map.of("bootstrap.servers", cloud.kafka.bootstrapServers(), "acks", "all"),
                new StringSerializer(),
                new ByteArraySerializer())) {
      cloud.apply(CloudEnvironment.node(NODE));
      try (EdgeNode edge = EdgeNode.start(cloud.edgeConfig(NODE, tmp.resolve("edge")), "test")) {
        Awaitility.await("edge connected")
            .atMost(Duration.ofSeconds(60))
            .until(() -> edge.linkState() == LinkState.CONNECTED && edge.ready());
        String resources = cloud.topics.resources().name();
        List<ProducerRecord<String, byte[]>> poison = new ArrayList<>();
        poison.add(new ProducerRecord<>(resources, "garbage", bytes("\u0000\u0001 not an event")));
        RecordHeaders unknownType = new RecordHeaders();
        unknownType.add("ce_specversion", bytes("1.0"));
        unknownType.add("ce_id", bytes("x-1"));
        unknownType.add("ce_source", bytes("/test"));
        unknownType.add("ce_type", bytes("io.kedge.resource.upsert.v9"));
        poison.add(new ProducerRecord<>(resources, null, "v9", bytes("{}"), unknownType));
        RecordHeaders badJson = new RecordHeaders(unknownType.toArray());
        badJson.remove("ce_type");
        badJson.add("ce_type", bytes("io.kedge.resource.upsert.v1"));
        poison.add(new ProducerRecord<>(resources, null, "bad-json", bytes("{\"key\":"), badJson));
        for (int i = 0; i < poison.size(); i++) {
          raw.send(poison.get(i)).get();
          cloud.apply(CloudEnvironment.pod("after-poison-" + i, NODE));
        }
        Awaitility.await("pods after each poison record reach the edge")
            .atMost(Duration.ofSeconds(60))
            .until(() -> CloudEnvironment.podNames(edge).size() == poison.size());

        // malformed requests on the edge API: 4xx, and the API goes on serving
        String api = "http://127.0.0.1:" + edge.apiPort();
        HttpClient http = HttpClient.newHttpClient();
        Map<String, Integer> answers = new HashMap<>();
        answers.put(
            "create with a broken body",
            post(http, api + "/api/v1/namespaces/default/pods", "{\"kind\":"));
        answers.put("unknown resource", get(http, api + "/api/v1/namespaces/default/widgets"));
        answers.put("bad label selector", get(http, api + "/api/v1/pods?labelSelector=a%20in%20("));
        answers.put(
            "patch with an unknown type",
            send(
                http,
                HttpRequest.newBuilder(
                        URI.create(api + "/api/v1/namespaces/default/pods/after-poison-0"))
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("{}"))
                    .header("Content-Type", "application/x-unknown")
                    .build()));
        answers.forEach((what, code) -> assertThat(code).as(what).isBetween(400, 499));
        assertThat(get(http, api + "/api/v1/namespaces/default/pods")).isEqualTo(200);

        List<ConsumerRecord<String, byte[]>> dead = deadLetters(cloud, poison.size());
        for (ConsumerRecord<String, byte[]> record : dead) {
          assertThat(DeadLetter.header(record.headers(), DeadLetter.SOURCE_TOPIC))
              .isEqualTo(resources);
          assertThat(DeadLetter.header(record.headers(), DeadLetter.SOURCE_OFFSET)).isNotEmpty();
          assertThat(DeadLetter.header(record.headers(), DeadLetter.REASON)).isNotEmpty();
        }
        System.out.printf(
            "scenario-g: events=%d lost=0 duplicated=0 dead-lettered=%d bad-requests=%d time=%ds%n",
            poison.size() * 2,
            dead.size(),
            answers.size(),
            (System.nanoTime() - started) / 1_000_000_000);
      }
    }
  }

  private static List<ConsumerRecord<String, byte[]>> deadLetters(
      CloudEnvironment cloud, int count) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cloud.kafka.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(cloud.topics.deadletter().name(), 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      Awaitility.await(count + " dead letters")
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(found::add);
                return found.size() >= count;
              });
    }
    assertThat(found).hasSize(count);
    return found;
  }

  private static int get(HttpClient http, String url) throws Exception {
    return send(http, HttpRequest.newBuilder(URI.create(url)).GET().build());
  }

  private static int post(HttpClient http, String url, String body) throws Exception {
    return send(
        http,
        HttpRequest.newBuilder(URI.create(url))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json")
            .build());
  }

  private static int send(HttpClient http, HttpRequest request) throws Exception {
    return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
