package io.kedge.cloud.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.kedge.kafka.local.LocalKafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

/**
 * The router's producers know node topics before the stream thread sends to them: a new producer
 * learns every existing one, and a topic made later is learned when asked. A producer records the
 * time it waits for a topic's metadata, so a known topic shows no wait and an unknown one does.
 */
class RouterClientsIT {
  @Test
  void producersKnowTheNodeTopicsBeforeTheirFirstSend() throws Exception {
    List<String> existing =
        IntStream.range(0, 200).mapToObj(n -> "clients-it.node.node-" + n).toList();
    try (LocalKafkaCluster kafka =
            LocalKafkaCluster.builder().build().start(Duration.ofMinutes(1));
        Admin admin = Admin.create(kafka.clientConfig())) {
      List<String> all = new ArrayList<>(existing);
      all.addAll(List.of("clients-it.node.late", "clients-it.node.never-asked"));
      admin.createTopics(all.stream().map(t -> new NewTopic(t, 1, (short) 1)).toList()).all().get();
      try (RouterClients clients = new RouterClients(() -> existing)) {
        Map<String, Object> config = new HashMap<>(kafka.clientConfig());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "clients-it-producer");
        Producer<byte[], byte[]> producer = clients.getProducer(config);
        clients.taught(producer).get(1, TimeUnit.MINUTES);
        clients.learn("clients-it.node.late").get(1, TimeUnit.MINUTES);

        double waited = metadataWait(producer);
        for (String topic : existing) {
          assertThat(producer.partitionsFor(topic)).as(topic).hasSize(1);
        }
        assertThat(producer.partitionsFor("clients-it.node.late")).hasSize(1);
        assertThat(metadataWait(producer))
            .as("waited for metadata of a known topic")
            .isEqualTo(waited);

        producer.partitionsFor("clients-it.node.never-asked");
        assertThat(metadataWait(producer))
            .as("a topic never taught is waited for")
            .isGreaterThan(waited);
        producer.close(Duration.ZERO);
      }
    }
  }

  /** The producer's time spent waiting for topic metadata (it waits only for topics it lacks). */
  private static double metadataWait(Producer<byte[], byte[]> producer) {
    return producer.metrics().entrySet().stream()
        .filter(e -> e.getKey().group().equals("producer-metrics"))
        .filter(e -> e.getKey().name().equals("metadata-wait-time-ns-total"))
        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
        .findFirst()
        .orElseThrow();
  }
}
