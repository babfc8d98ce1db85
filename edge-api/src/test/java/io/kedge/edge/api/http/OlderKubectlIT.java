package io.kedge.edge.api.http;

import static io.kedge.edge.api.view.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.kedge.schemas.ObjectKey;
import io.kedge.testkit.Kubectl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian 12's kubectl, 1.20, against an edge API whose writes the simulated cloud decides: an edge
 * machine often carries an older kubectl than the cluster's. It reads legacy discovery (no
 * aggregated documents), fetches {@code /openapi/v2} in protobuf to explain kinds, to validate
 * manifests and to compute its strategic merge patches, and sends protobuf bodies for its typed
 * commands.
 */
class OlderKubectlIT {
  private EdgeApiFixture edge;
  private Kubectl kubectl;

  @BeforeEach
  void start() throws Exception {
    Path binary = Kubectl.findDebian().orElse(null);
    Assumptions.assumeTrue(
        binary != null,
        "SKIPPED: no Debian kubectl found; run .ci/fetch-kubectl-debian to fetch one");
    edge = new EdgeApiFixture(Duration.ofSeconds(10));
    kubectl = Kubectl.at(binary, edge.url());
    edge.seed(pod("default", "web-0", "edge-1", "Running", "app", "web"));
  }

  @AfterEach
  void stop() {
    if (edge != null) {
      edge.close();
    }
  }

  @Test
  void readsWithLegacyDiscovery() {
    Kubectl.Result version = kubectl.run("version");
    version.assertSucceeded();
    assertThat(version.stdout()).contains("GitVersion:\"v1.20", "GitVersion:\"v1.35.0-kedge");
    Kubectl.Result pods = kubectl.run("get", "pods", "-o", "wide");
    pods.assertSucceeded();
    assertThat(pods.stdout()).contains("web-0", "Running", "edge-1");
    Kubectl.Result describe = kubectl.run("describe", "pod", "web-0");
    describe.assertSucceeded();
    assertThat(describe.stdout()).contains("Name:", "web-0", "Node:", "edge-1");
    Kubectl.Result resources = kubectl.run("api-resources");
    resources.assertSucceeded();
    assertThat(resources.stdout()).contains("pods", "configmaps", "leases");
    Kubectl.Result can = kubectl.run("auth", "can-i", "create", "configmaps");
    assertThat(can.stdout().trim()).as(can.stderr()).isEqualTo("yes");
  }

  @Test
  void writesWithValidationAndProtobufBodies(@TempDir Path tmp) throws Exception {
    kubectl.run("create", "configmap", "settings", "--from-literal=mode=fast").assertSucceeded();
    assertThat(edge.cloud.stored(ObjectKey.parse("/v1/ConfigMap/default/settings"))).isNotNull();

    Path manifest = tmp.resolve("app.yaml");
    Files.writeString(
        manifest, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  mode: fast\n");
    Kubectl.Result created = kubectl.run("apply", "-f", manifest.toString());
    created.assertSucceeded();
    assertThat(created.stdout()).contains("configmap/app created");
    Files.writeString(
        manifest, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  mode: slow\n");
    Kubectl.Result configured = kubectl.run("apply", "-f", manifest.toString());
    configured.assertSucceeded();
    assertThat(configured.stdout()).contains("configmap/app configured");
    assertThat(edge.cloud.stored(ObjectKey.parse("/v1/ConfigMap/default/app")).at("/data/mode"))
        .hasToString("\"slow\"");

    Kubectl.Result serverSide = kubectl.run("apply", "--server-side", "-f", manifest.toString());
    serverSide.assertSucceeded();
    assertThat(serverSide.stdout()).contains("configmap/app serverside-applied");

    kubectl.run("label", "pod", "web-0", "tier=front").assertSucceeded();
    Kubectl.Result labels = kubectl.run("get", "pod", "web-0", "--show-labels");
    assertThat(labels.stdout()).contains("tier=front");

    Kubectl.Result deleted = kubectl.run("delete", "configmap", "settings");
    deleted.assertSucceeded();
    assertThat(edge.cloud.stored(ObjectKey.parse("/v1/ConfigMap/default/settings"))).isNull();
  }

  @Test
  void watchSeesAChange(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("watch.out");
    Process watch =
        kubectl.start(out, tmp.resolve("watch.err"), "get", "pods", "-w", "--output-watch-events");
    try {
      Kubectl.awaitContains(out, "ADDED", Duration.ofSeconds(30));
      kubectl.run("annotate", "pod", "web-0", "note=hello").assertSucceeded();
      Kubectl.awaitContains(out, "MODIFIED", Duration.ofSeconds(30));
    } finally {
      watch.destroy();
    }
  }

  @Test
  void explainsBuiltInAndCustomKindsFromTheOpenApiDocument() throws Exception {
    Kubectl.Result containers = kubectl.run("explain", "pod.spec.containers");
    containers.assertSucceeded();
    assertThat(containers.stdout())
        .contains("KIND:     Pod", "RESOURCE: containers <[]Object>", "List of containers")
        .contains("image\t<string>", "ports\t<[]Object>");
    Kubectl.Result pod = kubectl.run("explain", "pods");
    pod.assertSucceeded();
    assertThat(pod.stdout()).contains("Pod is a collection of containers", "spec\t<Object>");

    edge.serveCronTabs();
    Kubectl.Result custom = kubectl.run("explain", "crontabs.spec");
    custom.assertSucceeded();
    assertThat(custom.stdout()).contains("cronSpec\t<string>", "replicas\t<integer>");
  }

  @Test
  void validatesManifestsAgainstTheDefinitionsBeforeSending(@TempDir Path tmp) throws Exception {
    Path manifest = tmp.resolve("typo.yaml");
    Files.writeString(
        manifest,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: typo\nspec:\n  nodeName: edge-1\n"
            + "  contaners:\n  - name: app\n    image: app:1\n");
    Kubectl.Result refused = kubectl.run("apply", "-f", manifest.toString());
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.stderr())
        .contains(
            "ValidationError(Pod.spec): unknown field \"contaners\" in io.k8s.api.core.v1.PodSpec");
    assertThat(edge.cloud.stored(ObjectKey.parse("/v1/Pod/default/typo"))).isNull();

    // what `kubectl create --dry-run=client -o yaml` writes, with its null timestamp, passes
    Path generated = tmp.resolve("generated.yaml");
    Files.writeString(
        generated,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  creationTimestamp: null\n"
            + "  name: generated\ndata:\n  mode: fast\n");
    kubectl.run("apply", "-f", generated.toString()).assertSucceeded();
    assertThat(edge.cloud.stored(ObjectKey.parse("/v1/ConfigMap/default/generated"))).isNotNull();
  }

  @Test
  void applyMergesListsOnKubernetesMergeKeys(@TempDir Path tmp) throws Exception {
    Path manifest = tmp.resolve("app.yaml");
    String pod =
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  nodeName: edge-1\n"
            + "  containers:\n  - name: app\n    image: app:%s\n    ports:\n"
            + "    - containerPort: 8080\n  - name: sidecar\n    image: sidecar:1\n";
    Files.writeString(manifest, pod.formatted("1"));
    kubectl.run("apply", "-f", manifest.toString()).assertSucceeded();
    Files.writeString(manifest, pod.formatted("2"));
    Kubectl.Result configured = kubectl.run("apply", "-f", manifest.toString(), "-v=8");
    configured.assertSucceeded();
    // the patch names the changed container by its merge key, as computed from the document's
    // x-kubernetes-patch-merge-key; without it kubectl would send the whole list
    String body =
        configured
            .stderr()
            .lines()
            .filter(l -> l.contains("Request Body") && l.contains("containers"))
            .findFirst()
            .orElseThrow(() -> new AssertionError(configured.stderr()));
    assertThat(body)
        .contains(
            "\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"app\"},{\"name\":\"sidecar\"}],"
                + "\"containers\":[{\"image\":\"app:2\",\"name\":\"app\"}]}");
    var stored = edge.cloud.stored(ObjectKey.parse("/v1/Pod/default/app"));
    assertThat(stored.at("/spec/containers/0/image").asText()).isEqualTo("app:2");
    assertThat(stored.at("/spec/containers/0/ports/0/containerPort").asInt()).isEqualTo(8080);
    assertThat(stored.at("/spec/containers/1/image").asText()).isEqualTo("sidecar:1");
  }

  @Test
  void validatesCustomResourcesAgainstTheirSchema(@TempDir Path tmp) throws Exception {
    edge.serveCronTabs();
    Path manifest = tmp.resolve("crontab.yaml");
    String tab =
        "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: nightly\n"
            + "  labels:\n    team: ops\nspec:\n  cronSpec: '0 3 * * *'\n  %s: 2\n";
    Files.writeString(manifest, tab.formatted("replicas"));
    Kubectl.Result created = kubectl.run("apply", "-f", manifest.toString());
    created.assertSucceeded();
    assertThat(created.stdout()).contains("crontab.stable.example.com/nightly created");
    Files.writeString(manifest, tab.formatted("replica"));
    Kubectl.Result refused = kubectl.run("apply", "-f", manifest.toString());
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.stderr())
        .contains("ValidationError(CronTab.spec): unknown field \"replica\"");
  }

  @Test
  void kubeEdgesOwnSamplesPassValidationAgainstKedgesCrds(@TempDir Path tmp) throws Exception {
    // KubeEdge's own sample manifests, as kept beside the cloud's tests, validated by kubectl
    // against the edge API's document, which describes the KubeEdge kinds from kedge's CRDs
    // (deploy/crds) although the node holds no CRD objects
    Path root = Path.of("..").toAbsolutePath().normalize();
    java.util.List<Path> samples;
    try (var files = Files.walk(root.resolve("cloud-stream/src/test/resources/kubeedge-samples"))) {
      samples = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(samples).hasSizeGreaterThan(5);
    for (Path sample : samples) {
      Kubectl.Result dryRun =
          kubectl.run("create", "--dry-run=client", "-o", "name", "-f", sample.toString());
      assertThat(dryRun.exitCode()).as(sample + ": " + dryRun.stderr()).isZero();
    }
    // the Devices were validated: a misspelt field is refused
    Path device =
        samples.stream()
            .filter(f -> f.endsWith("modbustcp-device-instance.yaml"))
            .findFirst()
            .orElseThrow();
    Path misspelt = tmp.resolve("device.yaml");
    Files.writeString(
        misspelt, Files.readString(device).replace("deviceModelRef:", "deviceModelRefs:"));
    Kubectl.Result refused =
        kubectl.run("create", "--dry-run=client", "-o", "name", "-f", misspelt.toString());
    assertThat(refused.stderr())
        .contains("ValidationError(Device.spec): unknown field \"deviceModelRefs\"");
  }
}
