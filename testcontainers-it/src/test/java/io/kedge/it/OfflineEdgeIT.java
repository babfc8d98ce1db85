package io.kedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.edge.relay.link.LinkState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenarios (d) and (h), with the real router: an edge node offline beyond its topic's retention
 * resyncs and converges, deletes included; an edge node offline for a while keeps accepting
 * edge-owned writes, and they all reach the cloud once, in a drain, when the link is back.
 */
class OfflineEdgeIT {
  private static final String NODE = "edge-1";

  @Test
  void offlineBeyondRetentionResyncsAndAppliesDeletes(@TempDir Path tmp) throws Exception {
    long started = System.nanoTime();
    try (CloudEnvironment cloud = new CloudEnvironment("retention", tmp)) {
      cloud.apply(CloudEnvironment.node(NODE));
      for (String name : List.of("a", "b", "c")) {
        cloud.apply(CloudEnvironment.pod(name, NODE));
      }
      Path data = tmp.resolve("edge");
      try (EdgeNode edge = EdgeNode.start(cloud.edgeConfig(NODE, data), "test")) {
        Awaitility.await("a, b, c on the edge")
            .atMost(Duration.ofSeconds(60))
            .until(() -> sorted(CloudEnvironment.podNames(edge)).equals(List.of("a", "b", "c")));
      }
      // while the node is away: b deleted, d added, and retention removes all of it from the topic
      cloud.delete(CloudEnvironment.pod("b", NODE));
      cloud.apply(CloudEnvironment.pod("d", NODE));
      TopicPartition tp = new TopicPartition(cloud.topics.node(NODE).name(), 0);
      try (Admin admin = Admin.create(cloud.kafka.clientConfig())) {
        Awaitility.await("d routed")
            .atMost(Duration.ofSeconds(30))
            .until(() -> end(admin, tp) > 0 && podUpserts(cloud).contains("d"));
        admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(end(admin, tp)))).all().get();
      }
      try (EdgeNode edge = EdgeNode.start(cloud.edgeConfig(NODE, data), "test")) {
        assertThat(sorted(CloudEnvironment.podNames(edge)))
            .as("served from its log at once")
            .containsExactly("a", "b", "c");
        Awaitility.await("resynced: b gone, d there")
            .atMost(Duration.ofSeconds(60))
            .until(() -> sorted(CloudEnvironment.podNames(edge)).equals(List.of("a", "c", "d")));
        Awaitility.await("connected")
            .atMost(Duration.ofSeconds(30))
            .until(() -> edge.linkState() == LinkState.CONNECTED);
      }
      System.out.printf(
          "scenario-d: events=5 lost=0 duplicated=0 time=%ds%n",
          (System.nanoTime() - started) / 1_000_000_000);
    }
  }

  @Test
  void edgeOwnedWritesMadeOfflineDrainOnceWhenTheLinkIsBack(@TempDir Path tmp) throws Exception {
    Duration offline = Duration.ofSeconds(Long.getLong("kedge.it.offline.seconds", 20));
    int perSecond = 20;
    long started = System.nanoTime();
    try (CloudEnvironment cloud = new CloudEnvironment("drain", tmp)) {
      cloud.apply(CloudEnvironment.node(NODE));
      try (EdgeNode edge = EdgeNode.start(cloud.edgeConfig(NODE, tmp.resolve("edge")), "test");
          KubernetesClient api = CloudEnvironment.edgeClient(edge)) {
        Awaitility.await("edge connected")
            .atMost(Duration.ofSeconds(60))
            .until(() -> edge.linkState() == LinkState.CONNECTED && edge.ready());
        cloud.link.cut();
        Awaitility.await("link down")
            .atMost(Duration.ofSeconds(60))
            .until(() -> edge.linkState() == LinkState.DISCONNECTED);
        int written = 0;
        long end = System.nanoTime() + offline.toNanos();
        while (System.nanoTime() < end) {
          long second = System.nanoTime();
          for (int i = 0; i < perSecond; i++) {
            api.v1()
                .events()
                .inNamespace("default")
                .resource(
                    new EventBuilder()
                        .withNewMetadata()
                        .withName("offline-" + written)
                        .endMetadata()
                        .withReason("Offline")
                        .withMessage("written while the link was cut")
                        .withNewInvolvedObject()
                        .withKind("Node")
                        .withName(NODE)
                        .endInvolvedObject()
                        .build())
                .create();
            written++;
          }
          Awaitility.await("next second")
              .pollInterval(Duration.ofMillis(20))
              .atMost(Duration.ofSeconds(2))
              .until(() -> System.nanoTime() - second >= 1_000_000_000L);
        }
        assertThat(api.v1().events().inNamespace("default").list().getItems())
            .as("served on the edge while offline")
            .hasSize(written);
        cloud.link.restore();
        int expected = written;
        Map<String, Integer> inCloud = new HashMap<>();
        Awaitility.await(expected + " events drained to the cloud")
            .atMost(Duration.ofMinutes(3))
            .until(
                () -> {
                  inCloud.clear();
                  for (String name : eventUpserts(cloud)) {
                    inCloud.merge(name, 1, Integer::sum);
                  }
                  return inCloud.size() == expected;
                });
        long doubled = inCloud.values().stream().filter(c -> c > 1).count();
        System.out.printf(
            "scenario-h: events=%d lost=%d duplicated=%d offline=%ds time=%ds%n",
            written,
            written - inCloud.size(),
            doubled,
            offline.toSeconds(),
            (System.nanoTime() - started) / 1_000_000_000);
        assertThat(doubled).as("events stored twice in the cloud").isZero();
      }
    }
  }

  private static List<String> sorted(List<String> names) {
    return names.stream().sorted().toList();
  }

  private static long end(Admin admin, TopicPartition tp) throws Exception {
    return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
  }

  private static List<String> podUpserts(CloudEnvironment cloud) {
    return CloudEnvironment.upsertNames(
        cloud.kafka.bootstrapServers(), cloud.topics.node(NODE).name(), "Pod");
  }

  private static List<String> eventUpserts(CloudEnvironment cloud) {
    return CloudEnvironment.upsertNames(
        cloud.kafka.bootstrapServers(), cloud.topics.resources().name(), "Event");
  }
}
