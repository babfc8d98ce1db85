package io.kedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.edge.relay.link.LinkState;
import io.kedge.kube.objects.SystemNamespaces;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow cloud links: everything reaches the edge, the link is never reported down while data keeps
 * flowing, and fetches shrink to what crosses the link well within the request timeout. At 2 Mbit/s
 * a 1 MiB fetch response takes about 4 s to arrive; at 48 KiB/s it takes 21 s, more than the 10 s
 * timeout, and with Kafka's fixed 1 MiB the relay asked for the same bytes again for ever.
 */
class SlowLinkIT {
  private static final String NODE = "edge-1";
  private static final int PODS = 1_200;
  private static final long BYTES_PER_SECOND = 256 * 1024;
  private static final int BACKLOG_PODS =
      12_000; // ~30 MiB: several measuring windows of a fast link

  @Test
  void aSlowLinkDeliversEverythingAndIsNotReportedDownWhileDataFlows(@TempDir Path tmp)
      throws Exception {
    deliversOver(tmp, BYTES_PER_SECOND, PODS, false);
  }

  /** Then the link is cut, a backlog builds, and the link comes back fast: fetches grow again. */
  @Test
  void aLinkTooSlowForOneFullFetchWithinTheRequestTimeoutStillDeliversEverything(@TempDir Path tmp)
      throws Exception {
    deliversOver(tmp, 48 * 1024, 600, true);
  }

  private void deliversOver(Path tmp, long bytesPerSecond, int podCount, boolean thenFast)
      throws Exception {
    try (CloudEnvironment cloud = new CloudEnvironment("slowlink", tmp)) {
      cloud.apply(CloudEnvironment.node(NODE));
      try (EdgeNode edge = EdgeNode.start(cloud.edgeConfig(NODE, tmp.resolve("edge")), "test")) {
        Awaitility.await("edge connected and holding its node and the system namespaces")
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    edge.linkState() == LinkState.CONNECTED
                        && edge.view().size() >= 1 + SystemNamespaces.NAMES.size());
        int before = edge.view().size();
        cloud.link.throttle(bytesPerSecond);
        List<ObjectNode> pods = paddedPods("slow-", podCount);
        long disconnectsBefore = edge.downlink().disconnects();
        long started = System.nanoTime();
        CloudEnvironment.publish(cloud.publisher, pods);
        Awaitility.await("every pod over the slow link")
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> edge.view().size() >= before + podCount);
        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(edge.view().size()).isEqualTo(before + podCount);
        assertThat(edge.downlink().disconnects())
            .as("times the link was reported down while the pods flowed")
            .isEqualTo(disconnectsBefore);
        assertThat(edge.linkState()).isEqualTo(LinkState.CONNECTED);
        assertThat(edge.downlink().fetchBytes())
            .as("bytes per fetch: what the link carries in a quarter of the 10 s request timeout")
            .isLessThanOrEqualTo((int) (bytesPerSecond * 2.5));
        System.out.printf(
            "slow-link: %d pods at %d KiB/s in %.1f s, disconnects reported %d, fetches of %d"
                + " KiB%n",
            podCount,
            bytesPerSecond / 1024,
            seconds,
            edge.downlink().disconnects(),
            edge.downlink().fetchBytes() / 1024);
        if (thenFast) {
          growsBackOnAFastLink(cloud, edge);
        }
      }
    }
  }

  private void growsBackOnAFastLink(CloudEnvironment cloud, EdgeNode edge) throws Exception {
    int slowFetch = edge.downlink().fetchBytes();
    int before = edge.view().size();
    cloud.link.cut();
    String nodeTopic = cloud.topics.node(NODE).name();
    long end = endOffset(cloud.kafka.bootstrapServers(), nodeTopic);
    CloudEnvironment.publish(cloud.publisher, paddedPods("backlog-", BACKLOG_PODS));
    Awaitility.await("the backlog in the node topic")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> endOffset(cloud.kafka.bootstrapServers(), nodeTopic) >= end + BACKLOG_PODS);
    cloud.link.throttle(0);
    cloud.link.restore();
    long started = System.nanoTime();
    Awaitility.await("the backlog over the restored link")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> edge.view().size() >= before + BACKLOG_PODS);
    assertThat(edge.downlink().fetchBytes())
        .as("bytes per fetch once the link is fast again (%d KiB while slow)", slowFetch / 1024)
        .isGreaterThanOrEqualTo(1024 * 1024);
    System.out.printf(
        "slow-link: then %d pods (~%d MiB) over the restored link in %.1f s, fetches of %d KiB%n",
        BACKLOG_PODS,
        BACKLOG_PODS * 5 / 2 / 1024,
        (System.nanoTime() - started) / 1e9,
        edge.downlink().fetchBytes() / 1024);
  }

  /** Pods of ~2.5 KiB each. */
  /**
   * Pods of about 2.5 KiB on the wire. The padding is random: the router compresses what it writes
   * to node topics, and the link must be slow for the bytes that cross it.
   */
  private static List<ObjectNode> paddedPods(String prefix, int count) {
    Random random = new Random(prefix.hashCode());
    List<ObjectNode> pods = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ObjectNode pod = CloudEnvironment.pod(prefix + i, NODE);
      byte[] padding = new byte[1_536];
      random.nextBytes(padding);
      ((ObjectNode) pod.get("metadata"))
          .putObject("annotations")
          .put("kedge.io/padding", Base64.getEncoder().encodeToString(padding));
      pods.add(pod);
    }
    return pods;
  }

  private static long endOffset(String bootstrap, String topic) {
    TopicPartition partition = new TopicPartition(topic, 0);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      return consumer.endOffsets(List.of(partition)).get(partition);
    }
  }
}
