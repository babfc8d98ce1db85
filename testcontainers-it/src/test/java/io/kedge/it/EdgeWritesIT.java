package io.kedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.relay.EdgeConfig;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.edge.relay.link.LinkState;
import io.kedge.edge.relay.uplink.UplinkBounds;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.testkit.Kubectl;
import io.kedge.testkit.TcpProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes on the edge API with the real kubectl, through the real uplink, router and applier on a
 * real broker: apply, patch in all three types, label, a conflict, delete and wait, a 404; then,
 * with the cloud link cut, a 503 for a cloud-owned write and a status write accepted locally and
 * applied in the cloud once the link is back.
 */
class EdgeWritesIT {
  private static final String NODE = "edge-1";

  @Test
  void kubectlWritesGoThroughTheCloudAndEdgeOwnedWritesWorkOffline(@TempDir Path tmp)
      throws Exception {
    Path kubectlBinary = Kubectl.find().orElse(null);
    Assumptions.assumeTrue(
        kubectlBinary != null, "SKIPPED: no kubectl found; run .ci/fetch-kubectl to fetch one");
    long started = System.nanoTime();
    try (CloudEnvironment cloud = new CloudEnvironment("writes", tmp)) {
      TcpProxy link = cloud.link;
      KedgeTopics topics = cloud.topics;
      cloud.apply(CloudEnvironment.node(NODE));
      try (EdgeNode edge =
          EdgeNode.start(
              new EdgeConfig(
                  NODE,
                  link.address(),
                  tmp.resolve("edge"),
                  "127.0.0.1",
                  0,
                  EdgeConfig.ApiTls.none(),
                  0,
                  "",
                  cloud.prefix,
                  EdgeConfig.LogSettings.defaults(),
                  10_000,
                  Duration.ofSeconds(30),
                  Duration.ofSeconds(20),
                  false,
                  true,
                  io.kedge.kube.authorization.NodeWriteRules.ALL,
                  null,
                  UplinkBounds.unbounded(),
                  java.util.Map.of(),
                  io.kedge.edge.api.http.EdgeApiOptions.DEFAULT_LIMITS,
                  EdgeConfig.HEARTBEAT_INTERVAL.defaultValue()),
              "test")) {
        Awaitility.await("edge connected")
            .atMost(Duration.ofSeconds(60))
            .until(() -> edge.linkState() == LinkState.CONNECTED && edge.ready());
        Kubectl kubectl = Kubectl.at(kubectlBinary, "http://127.0.0.1:" + edge.apiPort());

        // create with kubectl apply: the pod comes back through the router, tolerations added
        Path manifest = tmp.resolve("web.yaml");
        Files.writeString(manifest, podYaml("v1"));
        expectOk(kubectl.run("apply", "-f", manifest.toString()), "pod/web created");
        JsonNode created = getJson(kubectl, "pod", "web");
        assertThat(created.at("/spec/tolerations").toString())
            .contains("node.kubernetes.io/unreachable");
        assertThat(created.at("/metadata/uid").asText()).isNotEmpty();

        // kubectl apply of a changed file: a strategic merge patch
        Files.writeString(manifest, podYaml("v2"));
        expectOk(kubectl.run("apply", "-f", manifest.toString()), "pod/web configured");
        assertThat(getJson(kubectl, "pod", "web").at("/metadata/labels/version").asText())
            .isEqualTo("v2");

        expectOk(
            kubectl.run(
                "patch",
                "pod",
                "web",
                "--type=merge",
                "-p",
                "{\"metadata\":{\"labels\":{\"m\":\"1\"}}}"),
            "pod/web patched");
        expectOk(
            kubectl.run(
                "patch",
                "pod",
                "web",
                "--type=json",
                "-p",
                "[{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"j\":\"2\"}}]"),
            "pod/web patched");
        expectOk(kubectl.run("label", "pod", "web", "tier=front"), "pod/web labeled");
        JsonNode patched = getJson(kubectl, "pod", "web");
        assertThat(patched.at("/metadata/labels/m").asText()).isEqualTo("1");
        assertThat(patched.at("/metadata/annotations/j").asText()).isEqualTo("2");
        assertThat(patched.at("/metadata/labels/tier").asText()).isEqualTo("front");

        // a stale resourceVersion is a real 409 Conflict, a missing object a real 404
        Kubectl.Result conflict =
            kubectl.run("label", "pod", "web", "stale=yes", "--resource-version=1");
        assertThat(conflict.exitCode()).isNotZero();
        assertThat(conflict.stderr()).contains("the object has been modified");
        Kubectl.Result missing =
            kubectl.run("patch", "pod", "nope", "--type=merge", "-p", "{\"metadata\":{}}");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.stderr()).contains("pods \"nope\" not found");

        // a status write by an edge agent
        patchPhase(kubectl, "Running");

        // the cloud link goes down
        link.cut();
        Awaitility.await("edge sees the link down")
            .atMost(Duration.ofSeconds(60))
            .until(() -> edge.linkState() == LinkState.DISCONNECTED);
        Kubectl.Result offline = kubectl.run("label", "pod", "web", "offline=yes");
        assertThat(offline.exitCode()).isNotZero();
        assertThat(offline.stderr()).contains("cloud link of node edge-1 is down");
        patchPhase(kubectl, "Succeeded");
        assertThat(getJson(kubectl, "pod", "web").at("/status/phase").asText())
            .isEqualTo("Succeeded");

        // the link is back: the offline status write reaches the cloud's store
        link.restore();
        Awaitility.await("the offline status write is applied in the cloud")
            .atMost(Duration.ofSeconds(90))
            .until(
                () -> cloudObject(cloud.kafka.bootstrapServers(), topics, "/v1/Pod/default/web"),
                pod -> pod != null && pod.at("/status/phase").asText().equals("Succeeded"));

        // a ConfigMap no pod uses: the node reads back what it wrote, and applies it again
        expectOk(
            kubectl.run("create", "configmap", "notes", "--from-literal=k=v"),
            "configmap/notes created");
        assertThat(getJson(kubectl, "configmap", "notes").at("/data/k").asText()).isEqualTo("v");
        expectOk(kubectl.run("annotate", "configmap", "notes", "a=b"), "configmap/notes annotated");

        // delete, and kubectl wait sees it go
        expectOk(kubectl.run("delete", "pod", "web", "--wait=false"), "pod \"web\" deleted");
        expectOk(kubectl.run("wait", "--for=delete", "pod/web", "--timeout=60s"), "");
        assertThat(kubectl.run("get", "pods", "-o", "name").stdout()).isEmpty();

        // a pod its kubelet runs is deleted gracefully: Terminating until the kubelet, having
        // stopped it, deletes it with a grace period of 0
        Files.writeString(manifest, podYaml("v1"));
        expectOk(kubectl.run("apply", "-f", manifest.toString()), "pod/web created");
        patchStatus(kubectl, "{\"phase\":\"Running\",\"startTime\":\"2026-01-01T00:00:00Z\"}");
        expectOk(kubectl.run("delete", "pod", "web", "--wait=false"), "pod \"web\" deleted");
        JsonNode terminating = getJson(kubectl, "pod", "web");
        assertThat(terminating.at("/metadata/deletionTimestamp").asText()).isNotEmpty();
        assertThat(terminating.at("/metadata/deletionGracePeriodSeconds").asLong()).isEqualTo(30);
        assertThat(kubectl.run("get", "pod", "web").stdout()).contains("Terminating");
        patchPhase(kubectl, "Succeeded"); // the kubelet's last status keeps the pod
        assertThat(getJson(kubectl, "pod", "web").at("/status/phase").asText())
            .isEqualTo("Succeeded");
        expectOk(
            kubectl.run("delete", "pod", "web", "--grace-period=0", "--force", "--wait=false"),
            "pod \"web\" force deleted");
        expectOk(kubectl.run("wait", "--for=delete", "pod/web", "--timeout=60s"), "");
        System.out.printf(
            "edge-writes: kubectl writes ok, offline status write forwarded, time=%.1fs%n",
            (System.nanoTime() - started) / 1e9);
      }
    }
  }

  /** A status write, as a kubelet-like agent on the edge makes it. */
  private static void patchPhase(Kubectl kubectl, String phase) {
    patchStatus(kubectl, "{\"phase\":\"" + phase + "\"}");
  }

  private static void patchStatus(Kubectl kubectl, String status) {
    expectOk(
        kubectl.run(
            "patch",
            "pod",
            "web",
            "--subresource=status",
            "--type=merge",
            "-p",
            "{\"status\":" + status + "}"),
        "pod/web patched");
  }

  private static void expectOk(Kubectl.Result result, String stdout) {
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout()).contains(stdout);
  }

  private static JsonNode getJson(Kubectl kubectl, String kind, String name) throws Exception {
    Kubectl.Result result = kubectl.run("get", kind, name, "-o", "json");
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    return EventCodec.json().readTree(result.stdout());
  }

  private static String podYaml(String version) {
    return """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          namespace: default
          labels:
            app: web
            version: %s
            app-offline.kubeedge.io: autonomy
        spec:
          nodeName: edge-1
          containers:
          - name: app
            image: nginx:%s
        """
        .formatted(version, version.equals("v1") ? "1.27" : "1.28");
  }

  /** The latest object for {@code key} in the cloud's resources topic, or null if deleted. */
  private static ObjectNode cloudObject(String bootstrap, KedgeTopics topics, String key) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    EventCodec codec = new EventCodec();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition partition = new TopicPartition(topics.resources().name(), 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      ObjectNode latest = null;
      while (consumer.position(partition) < end) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (key.equals(record.key()) && record.value() != null) {
            KedgeEvent event = codec.decode(record.headers(), record.value());
            latest = event.data() instanceof ResourceUpsert upsert ? upsert.object() : null;
          }
        }
      }
      return latest;
    }
  }
}
