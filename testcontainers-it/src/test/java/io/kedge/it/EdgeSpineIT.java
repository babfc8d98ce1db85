package io.kedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.runtime.net.FreePorts;
import io.kedge.testkit.Kubectl;
import io.kedge.testkit.TcpProxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spine, end to end: a pod applied in the cloud shows up in {@code kubectl get -w} on the edge
 * node, across a silent cloud link, a reset one and a {@code kill -9} of the edge process, and the
 * edge API keeps serving the last state while offline.
 */
class EdgeSpineIT {
  private static final String NODE = "edge-1";

  @Test
  void kubectlWatchOnTheEdgeSeesCloudChangesAcrossALinkCutAndAKillNine(@TempDir Path tmp)
      throws Exception {
    Path kubectlBinary = Kubectl.find().orElse(null);
    Assumptions.assumeTrue(
        kubectlBinary != null, "SKIPPED: no kubectl found; run .ci/fetch-kubectl to fetch one");
    long started = System.nanoTime();
    try (CloudEnvironment cloud = new CloudEnvironment("spine", tmp);
        EdgeProcess edge =
            new EdgeProcess(
                NODE,
                cloud.edgeBootstrap(),
                cloud.prefix,
                tmp.resolve("edge"),
                FreePorts.on("127.0.0.1"))) {
      TcpProxy link = cloud.link;
      cloud.apply(CloudEnvironment.node(NODE));
      edge.start();
      edge.jvm().awaitOutput(Pattern.compile("-> CONNECTED"), Duration.ofSeconds(60));
      Kubectl kubectl = Kubectl.at(kubectlBinary, edge.url());

      cloud.apply(pod("a"));
      Path out = tmp.resolve("watch.out");
      Process watch =
          kubectl.start(
              out, tmp.resolve("watch.err"), "get", "pods", "-w", "--output-watch-events");
      Kubectl.awaitContains(out, " a ", Duration.ofSeconds(60));

      // The cloud link goes silent (packets dropped, sockets open: noticed only by the edge's own
      // probe): reads and the open watch keep working from the log.
      link.silence();
      edge.jvm().awaitOutput(Pattern.compile("-> DISCONNECTED"), Duration.ofSeconds(60));
      cloud.apply(pod("b"));
      cloud.delete(pod("a"));
      Kubectl.Result offline = kubectl.run("get", "pods", "-o", "name");
      assertThat(offline.exitCode()).as(offline.stderr()).isZero();
      assertThat(offline.stdout().lines()).containsExactly("pod/a");

      // The link comes back: the watch, never closed, sees exactly what happened meanwhile.
      link.restore();
      Kubectl.awaitContains(out, " b ", Duration.ofSeconds(90));
      Kubectl.awaitContains(out, "DELETED", Duration.ofSeconds(30));
      assertThat(watch.isAlive()).as("kubectl get -w is still watching").isTrue();
      watch.destroy();

      // kill -9 while the link is down (reset this time), restart offline: the last state is
      // served at once.
      link.cut();
      edge.kill9();
      cloud.apply(pod("c"));
      edge.start();
      Kubectl.Result restarted = kubectl.run("get", "pods", "-o", "name");
      assertThat(restarted.stdout().lines()).containsExactly("pod/b");
      link.restore();
      Awaitility.await("pod c reaches the restarted edge")
          .atMost(Duration.ofSeconds(90))
          .until(
              () -> kubectl.run("get", "pods", "-o", "name").stdout().lines().toList(),
              lines -> lines.contains("pod/c"));
      edge.stop();

      List<Long> offsets = LoggedOffsets.of(edge.logDir());
      assertThat(offsets).isSorted().doesNotHaveDuplicates();
      System.out.printf(
          "edge-spine: log entries=%d duplicated=0 time=%.1fs%n",
          offsets.size(), (System.nanoTime() - started) / 1e9);
    }
  }

  private static ObjectNode pod(String name) {
    return CloudEnvironment.pod(name, NODE);
  }
}
