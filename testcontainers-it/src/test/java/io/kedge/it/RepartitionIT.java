package io.kedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kedge.cloud.CloudConfig;
import io.kedge.cloud.router.Router;
import io.kedge.edge.api.view.ResourceType;
import io.kedge.edge.api.view.WatchFilter;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.edge.relay.link.LinkState;
import io.kedge.launcher.KedgeCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upgrading a running single-partition cloud to a partitioned one: {@code kedge repartition}
 * refuses while a router runs; once it is stopped, kedge.resources moves to four partitions, and
 * the partitioned router that starts next (on the old router's data directory) routes every object
 * again, as the version the edge node holds, so the node sees no change: every object keeps its
 * edge resourceVersion, uid and creation time. What is applied afterwards reaches the node.
 */
class RepartitionIT {
  private static final String NODE = "edge-1";
  private static final int NAMESPACES = 4;

  @Test
  void aSingleThenPartitionedCloudChangesNothingTheNodeHolds(@TempDir Path tmp) throws Exception {
    long started = System.nanoTime();
    try (CloudEnvironment cloud = new CloudEnvironment("repartition", tmp)) {
      cloud.apply(CloudEnvironment.node(NODE));
      for (int i = 0; i < NAMESPACES; i++) {
        cloud.apply(CloudEnvironment.configMap("ns-" + i, "settings"));
        cloud.apply(CloudEnvironment.podUsing("ns-" + i, "web", NODE, "settings"));
      }
      try (EdgeNode edge = EdgeNode.start(cloud.edgeConfig(NODE, tmp.resolve("edge")), "test");
          KubernetesClient client = CloudEnvironment.edgeClient(edge)) {
        // an edge write: versioned by the applier's path
        client
            .pods()
            .inNamespace("ns-0")
            .resource(CloudEnvironment.mirrorPod("ns-0", NODE))
            .create();
        // a ConfigMap no pod uses, held because the node wrote it
        client
            .configMaps()
            .inNamespace("ns-0")
            .resource(
                new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                    .withNewMetadata()
                    .withName("notes")
                    .endMetadata()
                    .addToData("k", "v")
                    .build())
            .create();
        Awaitility.await("the node holds every object")
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    edge.linkState() == LinkState.CONNECTED
                        && held(edge, "pods").size() == NAMESPACES + 1
                        && held(edge, "configmaps").size() == NAMESPACES + 1);
        Map<String, String> pods = held(edge, "pods");
        Map<String, String> maps = held(edge, "configmaps");
        String nodeTopic = cloud.topics.node(NODE).name();
        long routedBefore = routedWebPods(cloud, nodeTopic);

        String[] repartition = {
          "repartition",
          "--kafka",
          cloud.kafka.bootstrapServers(),
          "--topic-prefix",
          cloud.prefix,
          "--partitions",
          "4",
          "--backup",
          tmp.resolve("backup.jsonl").toString()
        };
        KedgeCommand.Outcome refused = KedgeCommand.run(repartition);
        assertThat(refused.exit()).as(refused.out()).isEqualTo(1);
        assertThat(refused.err()).contains("running member(s)", "nothing was changed");

        cloud.router.close();
        KedgeCommand.Outcome moved = KedgeCommand.run(repartition);
        assertThat(moved.exit()).as(moved.err()).isZero();
        assertThat(moved.out()).contains("moved from 1 to 4 partitions: 11 objects");
        assertThat(Files.readAllLines(tmp.resolve("backup.jsonl"))).hasSize(11);
        assertThat(Files.readAllLines(tmp.resolve("backup.jsonl.writers")))
            .containsExactly("/ConfigMap/ns-0/notes\t" + NODE, "/Pod/ns-0/mirror\t" + NODE);

        try (Router partitioned =
            Router.start(
                CloudConfig.embedded(
                        cloud.kafka.bootstrapServers(),
                        tmp.resolve("cloud"),
                        cloud.prefix,
                        Duration.ofDays(1))
                    .withResourcePartitions(4))) {
          for (int i = 0; i < NAMESPACES; i++) {
            cloud.apply(CloudEnvironment.podUsing("ns-" + i, "after", NODE, "settings"));
          }
          Awaitility.await("pods applied after the move reach the node")
              .atMost(Duration.ofSeconds(90))
              .until(
                  () ->
                      held(edge, "pods").keySet().stream().filter(n -> n.endsWith("/after")).count()
                          == NAMESPACES);
          assertThat(routedWebPods(cloud, nodeTopic))
              .as("the partitioned router routed every pod again")
              .isEqualTo(routedBefore + NAMESPACES);
          Map<String, String> podsAfter = held(edge, "pods");
          pods.forEach(
              (name, versions) ->
                  assertThat(podsAfter.get(name)).as("pod " + name).isEqualTo(versions));
          assertThat(held(edge, "configmaps")).isEqualTo(maps);
          // the node that wrote it still holds it: the cloud's change reaches it
          ObjectNode notes = CloudEnvironment.configMap("ns-0", "notes");
          cloud.apply(notes);
          Awaitility.await("a change of the written ConfigMap reaches its writer")
              .atMost(Duration.ofSeconds(60))
              .until(
                  () ->
                      edge.view()
                          .get(
                              edge.view().types().byResource("", "v1", "configmaps").orElseThrow(),
                              "ns-0",
                              "notes")
                          .map(o -> o.object().at("/data/mode").asText().equals("test"))
                          .orElse(false));
          assertThat(partitioned.running()).isTrue();
        }
      }
    }
    System.out.printf(
        "repartition: 1 -> 4 partitions, edge unchanged, time=%ds%n",
        (System.nanoTime() - started) / 1_000_000_000);
  }

  /** {@code namespace/name} to resourceVersion, uid and creation time, as the node serves them. */
  private static Map<String, String> held(EdgeNode edge, String resource) {
    ResourceType type = edge.view().types().byResource("", "v1", resource).orElseThrow();
    Map<String, String> held = new TreeMap<>();
    for (ObjectNode object : edge.view().list(WatchFilter.all(type)).items()) {
      var metadata = object.path("metadata");
      held.put(
          metadata.path("namespace").asText() + "/" + metadata.path("name").asText(),
          metadata.path("resourceVersion").asText()
              + " "
              + metadata.path("uid").asText()
              + " "
              + metadata.path("creationTimestamp").asText());
    }
    return held;
  }

  private static long routedWebPods(CloudEnvironment cloud, String nodeTopic) {
    return CloudEnvironment.upsertNames(cloud.kafka.bootstrapServers(), nodeTopic, "Pod").stream()
        .filter("web"::equals)
        .count();
  }
}
