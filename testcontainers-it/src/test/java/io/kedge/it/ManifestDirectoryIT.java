package io.kedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kedge.cloud.manifest.ManifestDirectory;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.edge.relay.link.LinkState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watched manifest directory against a real broker, router and edge node: files added, changed,
 * emptied of a document, broken and removed reach the edge as the files say; a broken file changes
 * nothing; a restarted watcher publishes nothing again but what changed while it was down.
 */
class ManifestDirectoryIT {
  private static final String NODE = "edge-1";
  private static final Duration SCAN = Duration.ofMillis(200);

  @Test
  void theEdgeHoldsWhatTheFilesDeclare(@TempDir Path tmp) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("manifests"));
    Files.writeString(
        dir.resolve("apps.yaml"), node() + "---\n" + pod("a", "v1") + "---\n" + pod("b", "v1"));
    Files.writeString(dir.resolve("cfg.json"), configMap("one"));
    Files.writeString(dir.resolve("extra.yml"), pod("c", "v1"));
    Files.createDirectories(dir.resolve("..data"));
    Files.writeString(dir.resolve("..data/apps.yaml"), pod("hidden", "v1"));

    try (CloudEnvironment cloud = new CloudEnvironment("manifest-dir", tmp)) {
      Map<String, Object> kafka = Map.of("bootstrap.servers", cloud.kafka.bootstrapServers());
      ManifestDirectory watcher = ManifestDirectory.watch(dir, kafka, cloud.topics, SCAN);
      try (EdgeNode edge = EdgeNode.start(cloud.edgeConfig(NODE, tmp.resolve("edge")), "test");
          KubernetesClient api = CloudEnvironment.edgeClient(edge)) {
        Awaitility.await("edge connected")
            .atMost(Duration.ofSeconds(60))
            .until(() -> edge.linkState() == LinkState.CONNECTED && edge.ready());
        Awaitility.await("the files' pods on the edge")
            .atMost(Duration.ofSeconds(60))
            .until(() -> pods(api).equals(List.of("a", "b", "c")));
        assertThat(cfgValue(api)).isEqualTo("one");

        // a changed file: b's document removed, a relabelled
        Files.writeString(dir.resolve("apps.yaml"), node() + "---\n" + pod("a", "v2"));
        Awaitility.await("b deleted, a changed")
            .atMost(Duration.ofSeconds(30))
            .until(() -> pods(api).equals(List.of("a", "c")) && "v2".equals(version(api, "a")));

        // a broken file changes nothing and is reported
        Files.writeString(dir.resolve("cfg.json"), "{\"apiVersion\": \"v1\", \"kind\": ");
        Awaitility.await("refused")
            .atMost(Duration.ofSeconds(30))
            .until(() -> watcher.invalidFiles().contains("cfg.json"));
        assertThat(cfgValue(api)).isEqualTo("one");
        Files.writeString(dir.resolve("cfg.json"), configMap("two"));
        Awaitility.await("fixed file applied")
            .atMost(Duration.ofSeconds(30))
            .until(() -> "two".equals(cfgValue(api)));
        assertThat(watcher.invalidFiles()).isEmpty();

        // a file removed while the watcher is down is deleted when it starts; nothing else is sent
        watcher.close();
        Files.delete(dir.resolve("extra.yml"));
        long before = resourcesEnd(cloud);
        try (ManifestDirectory again = ManifestDirectory.watch(dir, kafka, cloud.topics, SCAN)) {
          Awaitility.await("c deleted")
              .atMost(Duration.ofSeconds(30))
              .until(() -> pods(api).equals(List.of("a")));
          assertThat(resourcesEnd(cloud) - before)
              .as("offsets used on restart: the delete of c and its transaction's commit marker")
              .isEqualTo(2);
          assertThat(again.applied()).isEqualTo(1);
        }
      } finally {
        watcher.close();
      }
    }
  }

  private static List<String> pods(KubernetesClient api) {
    return api.pods().inNamespace("default").list().getItems().stream()
        .map(p -> p.getMetadata().getName())
        .sorted()
        .toList();
  }

  private static String version(KubernetesClient api, String name) {
    Pod pod = api.pods().inNamespace("default").withName(name).get();
    return pod == null ? null : pod.getMetadata().getLabels().get("version");
  }

  private static String cfgValue(KubernetesClient api) {
    var cm = api.configMaps().inNamespace("default").withName("cfg").get();
    return cm == null ? null : cm.getData().get("k");
  }

  private static long resourcesEnd(CloudEnvironment cloud) throws Exception {
    try (Admin admin = Admin.create(cloud.kafka.clientConfig())) {
      TopicPartition tp = new TopicPartition(cloud.topics.resources().name(), 0);
      return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
    }
  }

  private static String node() {
    return "apiVersion: v1\nkind: Node\nmetadata: {name: " + NODE + "}\n";
  }

  private static String pod(String name, String version) {
    return """
        apiVersion: v1
        kind: Pod
        metadata: {name: %s, namespace: default, labels: {version: %s}}
        spec:
          nodeName: %s
          containers:
            - name: app
              image: nginx
              env: [{name: K, valueFrom: {configMapKeyRef: {name: cfg, key: k}}}]
        """
        .formatted(name, version, NODE);
  }

  private static String configMap(String value) {
    return """
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": "cfg", "namespace": "default"}, "data": {"k": "%s"}}
        """
        .formatted(value);
  }
}
