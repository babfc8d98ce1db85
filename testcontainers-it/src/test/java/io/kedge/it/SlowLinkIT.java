package io.kedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.edge.relay.link.LinkState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

  @Test
  void aSlowLinkDeliversEverythingAndIsNotReportedDownWhileDataFlows(@TempDir Path tmp)
      throws Exception {
    deliversOver(tmp, BYTES_PER_SECOND, PODS);
  }

  @Test
  void aLinkTooSlowForOneFullFetchWithinTheRequestTimeoutStillDeliversEverything(@TempDir Path tmp)
      throws Exception {
    deliversOver(tmp, 48 * 1024, 600);
  }

  private void deliversOver(Path tmp, long bytesPerSecond, int podCount) throws Exception {
    try (CloudEnvironment cloud = new CloudEnvironment("slowlink", tmp)) {
      cloud.apply(CloudEnvironment.node(NODE));
      try (EdgeNode edge = EdgeNode.start(cloud.edgeConfig(NODE, tmp.resolve("edge")), "test")) {
        Awaitility.await("edge connected and holding its node")
            .atMost(Duration.ofSeconds(90))
            .until(() -> edge.linkState() == LinkState.CONNECTED && edge.view().size() >= 1);
        int before = edge.view().size();
        cloud.link.throttle(bytesPerSecond);
        List<ObjectNode> pods = new ArrayList<>();
        for (int i = 0; i < podCount; i++) {
          ObjectNode pod = CloudEnvironment.pod("slow-" + i, NODE);
          // ~2.5 KiB each: about 3 MiB in all, three full fetches of 1 MiB
          ((ObjectNode) pod.get("metadata"))
              .putObject("annotations")
              .put("kedge.io/padding", "x".repeat(2_048));
          pods.add(pod);
        }
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
      }
    }
  }
}
