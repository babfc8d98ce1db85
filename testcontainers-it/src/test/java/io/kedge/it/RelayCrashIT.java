package io.kedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.cloud.topics.TopicProvisioner;
import io.kedge.it.env.KafkaSpec;
import io.kedge.it.env.ScenarioEnvironment;
import io.kedge.it.env.ScenarioKafka;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.testkit.TestNames;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario (a): the relay is killed with SIGKILL again and again while a stream of events flows.
 * The log must hold every offset exactly once, in order. Sizes: {@code -Dkedge.it.crash.events}
 * (default 50,000) and {@code -Dkedge.it.crash.kills} (default 5).
 */
class RelayCrashIT {
  private static final int EVENTS = Integer.getInteger("kedge.it.crash.events", 50_000);
  private static final int KILLS = Integer.getInteger("kedge.it.crash.kills", 5);

  @Test
  void killNineDuringAStreamLosesAndDoublesNothing(@TempDir Path tmp) throws Exception {
    long started = System.nanoTime();
    String prefix = TestNames.unique("crash");
    String node = "edge-1";
    KedgeTopics topics = new KedgeTopics(prefix, 1, Duration.ofDays(1));
    try (ScenarioKafka kafka =
            ScenarioEnvironment.current().kafka(KafkaSpec.single(), Duration.ofSeconds(60));
        Admin admin = Admin.create(kafka.clientConfig())) {
      new TopicProvisioner(admin, Optional.empty(), Duration.ofSeconds(30))
          .ensure(List.of(topics.node(node), topics.upstream()));
      try (EdgeProcess edge =
          new EdgeProcess(node, kafka.bootstrapServers(), prefix, tmp.resolve("edge"), 0)) {
        edge.start();
        // A new log asks for a resync and consumes from the end offset seen when asking (0 here);
        // on a slow machine the first probe of Kafka may time out first (-> DISCONNECTED).
        edge.jvm()
            .awaitOutput(Pattern.compile("-> RESYNCING: the log is new"), Duration.ofSeconds(60));

        EventCodec codec = new EventCodec();
        int perRound = EVENTS / (KILLS + 1);
        try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
          int sent = 0;
          for (int round = 0; round <= KILLS; round++) {
            int until = round == KILLS ? EVENTS : sent + perRound;
            for (; sent < until; sent++) {
              producer.send(codec.toRecord(topics.node(node).name(), "k" + sent, podEvent(sent)));
            }
            producer.flush();
            if (round < KILLS) {
              edge.kill9();
              edge.start();
            }
          }
        }
        Awaitility.await("relay logs offset " + (EVENTS - 1))
            .atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> LoggedOffsets.last(edge.logDir()) >= EVENTS - 1);
        edge.stop();
      }
      List<Long> offsets = LoggedOffsets.of(tmp.resolve("edge/data/log"));
      long duplicated = offsets.size() - offsets.stream().distinct().count();
      long lost = EVENTS - offsets.stream().distinct().count();
      System.out.printf(
          "relay-crash: events=%d kills=%d lost=%d duplicated=%d time=%.1fs%n",
          EVENTS, KILLS, lost, duplicated, (System.nanoTime() - started) / 1e9);
      List<Long> expected = new ArrayList<>();
      for (long i = 0; i < EVENTS; i++) {
        expected.add(i);
      }
      assertThat(offsets).containsExactlyElementsOf(expected);
    }
  }

  private static KedgeEvent podEvent(int i) {
    ObjectNode pod = EventCodec.json().createObjectNode();
    pod.put("apiVersion", "v1").put("kind", "Pod");
    pod.putObject("metadata").put("name", "p-" + (i % 1000)).put("namespace", "default");
    pod.putObject("spec").put("nodeName", "edge-1");
    pod.putObject("status").put("phase", "Running").put("sequence", i);
    return KedgeEvent.of(
        URI.create("/kedge/test"),
        "",
        new ResourceUpsert(ObjectKey.of(pod), Integer.toString(i), pod));
  }

  private static KafkaProducer<String, byte[]> producer(ScenarioKafka kafka) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true),
        new StringSerializer(),
        new ByteArraySerializer());
  }
}
