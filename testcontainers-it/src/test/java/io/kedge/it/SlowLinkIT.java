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
 * A slow cloud link (2 Mbit/s) on which one full fetch response (1 MiB) takes about 4 s to arrive:
 * everything reaches the edge, and the link is never reported down while data keeps flowing.
 */
class SlowLinkIT {
  private static final String NODE = "edge-1";
  private static final int PODS = 1_200;
  private static final long BYTES_PER_SECOND = 256 * 1024;

  @Test
  void aSlowLinkDeliversEverythingAndIsNotReportedDownWhileDataFlows(@TempDir Path tmp)
      throws Exception {
    try (CloudEnvironment cloud = new CloudEnvironment("slowlink", tmp)) {
      cloud.apply(CloudEnvironment.node(NODE));
      try (EdgeNode edge = EdgeNode.start(cloud.edgeConfig(NODE, tmp.resolve("edge")), "test")) {
        Awaitility.await("edge connected and holding its node")
            .atMost(Duration.ofSeconds(90))
            .until(() -> edge.linkState() == LinkState.CONNECTED && edge.view().size() >= 1);
        int before = edge.view().size();
        cloud.link.throttle(BYTES_PER_SECOND);
        List<ObjectNode> pods = new ArrayList<>();
        for (int i = 0; i < PODS; i++) {
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
            .until(() -> edge.view().size() >= before + PODS);
        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(edge.view().size()).isEqualTo(before + PODS);
        assertThat(edge.downlink().disconnects())
            .as("times the link was reported down while the pods flowed")
            .isEqualTo(disconnectsBefore);
        assertThat(edge.linkState()).isEqualTo(LinkState.CONNECTED);
        System.out.printf(
            "slow-link: %d pods at %d KiB/s in %.1f s, disconnects reported %d%n",
            PODS, BYTES_PER_SECOND / 1024, seconds, edge.downlink().disconnects());
      }
    }
  }
}
