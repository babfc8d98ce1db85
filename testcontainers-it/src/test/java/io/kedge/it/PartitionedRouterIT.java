package io.kedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kedge.cloud.CloudConfig;
import io.kedge.cloud.router.Router;
import io.kedge.edge.api.view.ResourceType;
import io.kedge.edge.api.view.WatchFilter;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.edge.relay.link.LinkState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partitioned cloud: {@code kedge.resources} in four partitions and two router instances routing
 * at once, each owning some. Pods, the ConfigMaps and claims they use, spread over six namespaces,
 * and the PersistentVolumes bound to the claims (placed by their own names, so mostly in other
 * partitions than their claims) reach one edge node from both; the node's resync comes in four
 * parts and deletes exactly what the cloud no longer holds; its writes are answered by the instance
 * owning their object; and when one instance stops, the other routes everything.
 */
class PartitionedRouterIT {
  private static final String NODE = "edge-1";
  private static final int PARTITIONS = 4;
  private static final int NAMESPACES = 6;

  @Test
  void twoActiveRoutersKeepEveryGuaranteeOverFourPartitions(@TempDir Path tmp) throws Exception {
    long started = System.nanoTime();
    try (CloudEnvironment cloud =
            new CloudEnvironment(
                "partitioned", tmp, config -> config.withResourcePartitions(PARTITIONS));
        Router second =
            Router.start(
                CloudConfig.embedded(
                        cloud.kafka.bootstrapServers(),
                        tmp.resolve("cloud-2"),
                        cloud.prefix,
                        Duration.ofDays(1))
                    .withResourcePartitions(PARTITIONS))) {
      Awaitility.await("both instances route, each owning some partitions")
          .atMost(Duration.ofSeconds(120))
          .until(() -> activeTasks(cloud.router) > 0 && activeTasks(second) > 0);
      assertThat(activeTasks(cloud.router) + activeTasks(second)).isEqualTo(PARTITIONS);

      cloud.apply(CloudEnvironment.node(NODE));
      for (int i = 0; i < NAMESPACES; i++) {
        cloud.apply(CloudEnvironment.configMap("ns-" + i, "settings"));
        cloud.apply(CloudEnvironment.persistentVolume("pv-ns-" + i, "ns-" + i, "data"));
        cloud.apply(CloudEnvironment.claim("ns-" + i, "data", "pv-ns-" + i));
        cloud.apply(CloudEnvironment.podUsingClaim("ns-" + i, "web", NODE, "settings", "data"));
      }
      try (EdgeNode edge = EdgeNode.start(cloud.edgeConfig(NODE, tmp.resolve("edge")), "test");
          KubernetesClient client = CloudEnvironment.edgeClient(edge)) {
        Awaitility.await(
                "the node holds every pod, the ConfigMap and claim each uses and its volume")
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    edge.linkState() == LinkState.CONNECTED
                        && names(edge, "pods").size() == NAMESPACES
                        && names(edge, "configmaps").size() == NAMESPACES
                        && names(edge, "persistentvolumeclaims").size() == NAMESPACES
                        && names(edge, "persistentvolumes").size() == NAMESPACES);
        assertThat(volumePartitions())
            .as("volumes kept in other partitions than their claims")
            .isGreaterThan(0);

        // the cloud changes while the node is away; the node asks for a snapshot in parts
        cloud.link.cut();
        Awaitility.await("link down")
            .atMost(Duration.ofSeconds(60))
            .until(() -> edge.linkState() == LinkState.DISCONNECTED);
        cloud.delete(CloudEnvironment.podUsingClaim("ns-0", "web", NODE, "settings", "data"));
        cloud.apply(CloudEnvironment.podUsing("ns-3", "extra", NODE, "settings"));
        edge.downlink().resyncSoon("test: snapshot after changes made while away");
        cloud.link.restore();
        Awaitility.await("the snapshot's four parts arrived and were applied")
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    edge.linkState() == LinkState.CONNECTED
                        && names(edge, "pods").size() == NAMESPACES
                        && names(edge, "configmaps").size() == NAMESPACES - 1
                        && names(edge, "persistentvolumes").size() == NAMESPACES - 1);
        assertThat(names(edge, "pods")).contains("ns-3/extra").doesNotContain("ns-0/web");
        assertThat(names(edge, "configmaps"))
            .as("the ConfigMap no pod of the node uses any more left it")
            .doesNotContain("ns-0/settings");
        assertThat(names(edge, "persistentvolumeclaims")).doesNotContain("ns-0/data");
        assertThat(names(edge, "persistentvolumes"))
            .as("the volume of a claim no pod of the node mounts any more left it")
            .doesNotContain("/pv-ns-0")
            .contains("/pv-ns-1");

        // writes are answered by whichever instance owns their object
        for (int i = 0; i < NAMESPACES; i++) {
          Pod created =
              client
                  .pods()
                  .inNamespace("ns-" + i)
                  .resource(CloudEnvironment.mirrorPod("ns-" + i, NODE))
                  .create();
          assertThat(created.getMetadata().getUid()).isNotEmpty();
        }

        // one instance stops: the other routes every partition
        second.close();
        Awaitility.await("the remaining instance owns every partition")
            .atMost(Duration.ofSeconds(120))
            .until(() -> activeTasks(cloud.router) == PARTITIONS);
        for (int i = 0; i < NAMESPACES; i++) {
          cloud.apply(CloudEnvironment.podUsing("ns-" + i, "after", NODE, "settings"));
        }
        Awaitility.await("pods applied after the stop reach the node")
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    names(edge, "pods").stream().filter(n -> n.endsWith("/after")).count()
                        == NAMESPACES);
        assertThat(names(edge, "configmaps")).contains("ns-0/settings");
      }
      System.out.printf(
          "partitioned-router: partitions=%d instances=2 namespaces=%d time=%ds%n",
          PARTITIONS, NAMESPACES, (System.nanoTime() - started) / 1_000_000_000);
    }
  }

  /** How many of the test's volumes are placed in another partition than their claim. */
  private static long volumePartitions() {
    return java.util.stream.IntStream.range(0, NAMESPACES)
        .filter(
            i ->
                io.kedge.schemas.ResourcePartitioner.partition(
                        "/v1/PersistentVolume//pv-ns-" + i, PARTITIONS)
                    != io.kedge.schemas.ResourcePartitioner.partition(
                        "/v1/PersistentVolumeClaim/ns-" + i + "/data", PARTITIONS))
        .count();
  }

  private static int activeTasks(Router router) {
    if (router.state() != KafkaStreams.State.RUNNING) {
      return 0;
    }
    int tasks = 0;
    for (ThreadMetadata thread : router.streams().metadataForLocalThreads()) {
      tasks += thread.activeTasks().size();
    }
    return tasks;
  }

  /** {@code namespace/name} of the objects of {@code resource} in the node's VIEW. */
  private static Set<String> names(EdgeNode edge, String resource) {
    ResourceType type = edge.view().types().byResource("", "v1", resource).orElseThrow();
    Set<String> names = new TreeSet<>();
    for (ObjectNode object : edge.view().list(WatchFilter.all(type)).items()) {
      names.add(
          object.path("metadata").path("namespace").asText()
              + "/"
              + object.path("metadata").path("name").asText());
    }
    return names;
  }
}
