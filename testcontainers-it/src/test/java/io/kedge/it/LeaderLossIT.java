package io.kedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.cloud.CloudConfig;
import io.kedge.cloud.manifest.ManifestPublisher;
import io.kedge.cloud.router.Router;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.it.env.KafkaSpec;
import io.kedge.it.env.ScenarioEnvironment;
import io.kedge.it.env.ScenarioKafka;
import io.kedge.schemas.KedgeTopics;
import io.kedge.testkit.TestNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario (b): on a 3-node cluster, the broker leading the edge node's topic is stopped in the
 * middle of a stream of pods (and started again later). The router and the relay follow the new
 * leader: the edge's VIEW ends with every pod, and its log holds every offset of the node topic
 * once, in order.
 */
class LeaderLossIT {
  private static final String NODE = "edge-1";

  @Test
  void losingThePartitionLeaderLosesAndDoublesNothing(@TempDir Path tmp) throws Exception {
    int pods = Integer.getInteger("kedge.it.leaderloss.pods", 2_000);
    String prefix = TestNames.unique("leader");
    KedgeTopics topics = new KedgeTopics(prefix, 1, Duration.ofDays(1));
    long started = System.nanoTime();
    try (ScenarioKafka kafka =
            ScenarioEnvironment.current().kafka(KafkaSpec.cluster(3), Duration.ofSeconds(90));
        Router router =
            Router.start(
                CloudConfig.embedded(
                    kafka.bootstrapServers(), tmp.resolve("cloud"), prefix, Duration.ofDays(1)));
        ManifestPublisher publisher =
            new ManifestPublisher(kafka.bootstrapServers(), topics, Duration.ofSeconds(60))) {
      CloudEnvironment.publish(publisher, List.of(CloudEnvironment.node(NODE)));
      int stopped;
      try (EdgeNode edge =
          EdgeNode.start(
              CloudEnvironment.edgeConfig(
                  NODE, kafka.bootstrapServers(), prefix, tmp.resolve("edge"), Map.of()),
              "test")) {
        List<ObjectNode> batch = new ArrayList<>();
        stopped = -1;
        for (int i = 0; i < pods; i++) {
          batch.add(CloudEnvironment.pod("p" + i, NODE));
          if (batch.size() == 50 || i == pods - 1) {
            CloudEnvironment.publish(publisher, batch);
            batch.clear();
          }
          if (i == pods / 3) {
            Awaitility.await("pods on the edge before the leader goes")
                .atMost(Duration.ofSeconds(60))
                .until(() -> podCount(edge) > pods / 10);
            stopped = leaderOf(kafka, topics.node(NODE).name());
            kafka.stopNode(stopped);
          }
        }
        Awaitility.await("every pod on the edge")
            .atMost(Duration.ofMinutes(3))
            .until(() -> podCount(edge) == pods);
        kafka.startNode(stopped);
      }
      List<Long> offsets = LoggedOffsets.of(tmp.resolve("edge/log"));
      long doubled = offsets.size() - new HashSet<>(offsets).size();
      System.out.printf(
          "scenario-b: events=%d lost=%d duplicated=%d time=%ds (leader broker %d stopped)%n",
          pods, 0, doubled, (System.nanoTime() - started) / 1_000_000_000, stopped + 1);
      assertThat(offsets).as("offsets logged once, in order").isSorted().doesNotHaveDuplicates();
    }
  }

  private static int leaderOf(ScenarioKafka kafka, String topic) throws Exception {
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      int leaderId =
          admin
              .describeTopics(List.of(topic))
              .allTopicNames()
              .get()
              .get(topic)
              .partitions()
              .get(0)
              .leader()
              .id();
      return kafka.indexOf(leaderId);
    }
  }

  private static int podCount(EdgeNode edge) {
    return CloudEnvironment.podNames(edge).size();
  }
}
