package io.kedge.edge.api.http;

import static io.kedge.edge.api.view.TestObjects.delete;
import static io.kedge.edge.api.view.TestObjects.pod;
import static io.kedge.edge.api.view.TestObjects.upsert;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kedge.schemas.EventCodec;
import io.kedge.testkit.Kubectl;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real kubectl against the edge API (KubeEdge's MetaServer could not serve kubectl at all). */
class EdgeApiKubectlIT {
  private EdgeApiFixture edge;
  private Kubectl kubectl;

  @BeforeEach
  void start() throws Exception {
    Path binary = EdgeApiFixture.kubectlOrSkip();
    edge = new EdgeApiFixture();
    kubectl = Kubectl.at(binary, edge.url());
    edge.append(upsert(pod("default", "web-0", "edge-1", "Running", "app", "web"), "1"));
    edge.append(upsert(pod("default", "db-0", "edge-1", "Pending", "app", "db"), "2"));
    edge.append(upsert(pod("kube-system", "agent", "edge-1", "Running"), "3"));
  }

  @AfterEach
  void stop() {
    if (edge != null) {
      edge.close();
    }
  }

  @Test
  void getListsPodsWithSelectors() throws Exception {
    Kubectl.Result all = kubectl.run("get", "pods", "-A");
    assertThat(all.exitCode()).as(all.stderr()).isZero();
    assertThat(all.stdout()).contains("web-0", "db-0", "agent");
    // server-side printing: kubectl's own pod columns, from the edge API's Table
    assertThat(all.stdout().lines().findFirst().orElse(""))
        .containsSubsequence("NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE");
    assertThat(all.stdout().lines().filter(l -> l.contains("web-0")).findFirst().orElse(""))
        .containsSubsequence("default", "web-0", "0/1", "Running", "0");
    Kubectl.Result wide = kubectl.run("get", "pod", "web-0", "-o", "wide");
    assertThat(wide.exitCode()).as(wide.stderr()).isZero();
    assertThat(wide.stdout()).contains("NODE", "edge-1").doesNotContain("NAMESPACE");
    Kubectl.Result labels = kubectl.run("get", "pods", "--show-labels");
    assertThat(labels.stdout()).contains("LABELS", "app=web");

    Kubectl.Result labelled = kubectl.run("get", "pods", "-l", "app=web", "-o", "name");
    assertThat(labelled.stdout().trim()).isEqualTo("pod/web-0");

    Kubectl.Result fields =
        kubectl.run("get", "pods", "-A", "--field-selector", "status.phase=Running", "-o", "name");
    assertThat(fields.stdout().lines()).containsExactlyInAnyOrder("pod/agent", "pod/web-0");

    Kubectl.Result json = kubectl.run("get", "pod", "web-0", "-o", "json");
    JsonNode pod = EventCodec.readJson(json.stdout().getBytes(StandardCharsets.UTF_8));
    assertThat(pod.path("spec").path("nodeName").asText()).isEqualTo("edge-1");
    assertThat(pod.path("metadata").path("resourceVersion").asLong()).isGreaterThanOrEqualTo(1_000);
  }

  @Test
  void missingObjectIsARealNotFound() {
    Kubectl.Result missing = kubectl.run("get", "pod", "nope");
    assertThat(missing.exitCode()).isNotZero();
    assertThat(missing.stderr()).contains("NotFound").contains("\"nope\" not found");
  }

  @Test
  void discoveryServesApiResources() {
    Kubectl.Result resources = kubectl.run("api-resources");
    assertThat(resources.exitCode()).as(resources.stderr()).isZero();
    assertThat(resources.stdout()).contains("pods", "configmaps", "devices", "rules", "leases");
    Kubectl.Result version = kubectl.run("version");
    assertThat(version.stdout()).contains("Server Version: v1.35.0-kedge");
    Kubectl.Result health = kubectl.run("get", "--raw", "/readyz?verbose");
    assertThat(health.stdout()).contains("[+]log-replayed ok", "readyz check passed");
  }

  @Test
  void yamlAndDescribeWork() {
    Kubectl.Result yaml = kubectl.run("get", "pod", "db-0", "-o", "yaml");
    assertThat(yaml.exitCode()).as(yaml.stderr()).isZero();
    assertThat(yaml.stdout()).contains("name: db-0", "phase: Pending");
    Kubectl.Result describe = kubectl.run("describe", "pod", "web-0");
    assertThat(describe.exitCode()).as(describe.stderr()).isZero();
    assertThat(describe.stdout()).contains("Name:", "web-0", "Node:", "edge-1");
  }

  @Test
  void getWatchShowsChangesAsTheyHappen(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("watch.out");
    Path err = tmp.resolve("watch.err");
    Process watch = kubectl.start(out, err, "get", "pods", "-w", "--output-watch-events");
    try {
      Kubectl.awaitContains(out, "web-0", Duration.ofSeconds(30));
      edge.append(upsert(pod("default", "late", "edge-1", "Running"), "9"));
      Kubectl.awaitContains(out, "ADDED", Duration.ofSeconds(30));
      Kubectl.awaitContains(out, "late", Duration.ofSeconds(30));
      edge.append(delete(pod("default", "db-0", "edge-1", "Pending")));
      Kubectl.awaitContains(out, "DELETED", Duration.ofSeconds(30));
      assertThat(watch.isAlive()).isTrue();
    } finally {
      watch.destroy();
    }
  }

  @Test
  void getAllCanIAndOneAggregatedDiscoveryRequest() throws Exception {
    Kubectl.Result all = kubectl.run("get", "all", "-A", "-v=6");
    assertThat(all.exitCode()).as(all.stderr()).isZero();
    assertThat(all.stdout()).contains("pod/web-0", "pod/agent");
    assertThat(all.stderr())
        .as("current kubectl reads aggregated discovery: one request per root, no per-group lists")
        .doesNotContain("/api/v1 ")
        .doesNotContain("/apis/coordination.k8s.io/v1 ");

    Kubectl.Result canGet = kubectl.run("auth", "can-i", "get", "pods");
    assertThat(canGet.stdout().trim()).as(canGet.stderr()).isEqualTo("yes");
    Kubectl.Result canCreate = kubectl.run("auth", "can-i", "create", "pods");
    assertThat(canCreate.stdout().trim()).isEqualTo("no - this edge API is read-only");
    Kubectl.Result canEscalate = kubectl.run("auth", "can-i", "escalate", "pods");
    assertThat(canEscalate.stdout().trim()).startsWith("no - ").contains("escalate");
    Kubectl.Result list = kubectl.run("auth", "can-i", "--list");
    assertThat(list.exitCode()).as(list.stderr()).isZero();
    assertThat(list.stdout()).contains("pods", "[get list watch]");
  }

  @Test
  void customResourcesPrintTheirColumnsAndJoinCategories() throws Exception {
    edge.serveCronTabs();
    com.fasterxml.jackson.databind.node.ObjectNode tab = EventCodec.json().createObjectNode();
    tab.put("apiVersion", "stable.example.com/v1").put("kind", "CronTab");
    tab.putObject("metadata")
        .put("name", "nightly")
        .put("namespace", "default")
        .put("creationTimestamp", java.time.Instant.now().minusSeconds(90).toString());
    tab.putObject("spec").put("cronSpec", "* * * * */5").put("image", "cron:1").put("replicas", 3);
    edge.append(upsert(tab, "11"));

    Kubectl.Result get = kubectl.run("get", "ct");
    assertThat(get.exitCode()).as(get.stderr()).isZero();
    assertThat(get.stdout().lines().findFirst().orElse(""))
        .containsSubsequence("NAME", "SPEC", "REPLICAS", "AGE");
    assertThat(get.stdout().lines().skip(1).findFirst().orElse(""))
        .containsSubsequence("nightly", "* * * * */5", "3", "9");
    Kubectl.Result all = kubectl.run("get", "all");
    assertThat(all.stdout()).contains("crontab.stable.example.com/nightly", "pod/web-0");
    Kubectl.Result explain = kubectl.run("explain", "crontabs.spec");
    assertThat(explain.exitCode()).as(explain.stderr()).isZero();
    assertThat(explain.stdout()).contains("cronSpec", "<string>", "replicas", "<integer>");
  }

  @Test
  void waitAndEventsReadFromTheView() throws Exception {
    Kubectl.Result running =
        kubectl.run("wait", "--for=jsonpath={.status.phase}=Running", "pod/web-0", "--timeout=20s");
    assertThat(running.exitCode()).as(running.stderr()).isZero();
    assertThat(running.stdout()).contains("pod/web-0 condition met");
    Kubectl.Result pending =
        kubectl.run("wait", "--for=jsonpath={.status.phase}=Running", "pod/db-0", "--timeout=2s");
    assertThat(pending.exitCode()).isNotZero();

    com.fasterxml.jackson.databind.node.ObjectNode event = EventCodec.json().createObjectNode();
    event.put("apiVersion", "v1").put("kind", "Event");
    event.putObject("metadata").put("name", "web-0.1").put("namespace", "default");
    event
        .putObject("involvedObject")
        .put("apiVersion", "v1")
        .put("kind", "Pod")
        .put("name", "web-0")
        .put("namespace", "default");
    event
        .put("reason", "Pulled")
        .put("message", "image pulled")
        .put("type", "Normal")
        .put("count", 1);
    event.put("lastTimestamp", java.time.Instant.now().toString());
    edge.append(upsert(event, "20"));
    Kubectl.Result events = kubectl.run("events", "--for", "pod/web-0");
    assertThat(events.exitCode()).as(events.stderr()).isZero();
    assertThat(events.stdout()).contains("Pulled", "image pulled");
    // kubectl get prints the server's Table: kube-apiserver's event columns
    Kubectl.Result get = kubectl.run("get", "events");
    assertThat(get.exitCode()).as(get.stderr()).isZero();
    assertThat(get.stdout().lines().findFirst().orElse(""))
        .matches("LAST SEEN +TYPE +REASON +OBJECT +MESSAGE");
    assertThat(get.stdout()).contains("Normal", "Pulled", "pod/web-0", "image pulled");
    Kubectl.Result wide = kubectl.run("get", "events", "-o", "wide");
    assertThat(wide.stdout().lines().findFirst().orElse(""))
        .matches(
            "LAST SEEN +TYPE +REASON +OBJECT +SUBOBJECT +SOURCE +MESSAGE +FIRST SEEN +COUNT +NAME");
    assertThat(wide.stdout()).contains("web-0.1");
  }

  @Test
  void explainDescribesBuiltInKindsFromTheirModels() {
    Kubectl.Result device = kubectl.run("explain", "devices.spec.deviceModelRef");
    assertThat(device.exitCode()).as(device.stderr()).isZero();
    assertThat(device.stdout())
        .contains("KIND:", "Device", "The DeviceModel this device is one of", "name");
    Kubectl.Result pod = kubectl.run("explain", "pod.spec.containers");
    assertThat(pod.exitCode()).as(pod.stderr()).isZero();
    assertThat(pod.stdout())
        .contains("KIND:", "Pod", "FIELD: containers <[]Container>")
        .contains(
            "image\t<string>", "ports\t<[]ContainerPort>", "resources\t<ResourceRequirements>");
    // with Kubernetes' descriptions, as kube-apiserver serves them
    assertThat(kubectl.run("explain", "pod").stdout())
        .contains("DESCRIPTION:", "Pod is a collection of containers that can run on a host.");
    assertThat(kubectl.run("explain", "pod.spec.activeDeadlineSeconds").stdout())
        .contains("Optional duration in seconds the pod may be active on the node");
    Kubectl.Result port = kubectl.run("explain", "service.spec.ports.targetPort");
    assertThat(port.exitCode()).as(port.stderr()).isZero();
    assertThat(port.stdout())
        .contains("FIELD: targetPort <string>", "Number or name of the port to access on the pods");
    // a field of another type gets its own description, not the type's
    assertThat(kubectl.run("explain", "pod.spec").stdout())
        .contains("FIELD: spec <PodSpec>", "Specification of the desired behavior of the pod.");
    Kubectl.Result recursive = kubectl.run("explain", "configmap", "--recursive");
    assertThat(recursive.stdout())
        .contains("data\t<map[string]string>", "creationTimestamp\t<string>");
    // kinds of the coordination, discovery, events.k8s.io and node.k8s.io groups too
    Kubectl.Result lease = kubectl.run("explain", "lease.spec.renewTime");
    assertThat(lease.exitCode()).as(lease.stderr()).isZero();
    assertThat(lease.stdout())
        .contains("GROUP:", "coordination.k8s.io", "FIELD: renewTime <string>")
        .contains("renewTime is a time when the current holder of a lease has last updated");
    Kubectl.Result slice = kubectl.run("explain", "endpointslices.endpoints");
    assertThat(slice.exitCode()).as(slice.stderr()).isZero();
    assertThat(slice.stdout()).contains("addresses\t<[]string>");
    Kubectl.Result claimRef = kubectl.run("explain", "pv.spec.claimRef");
    assertThat(claimRef.exitCode()).as(claimRef.stderr()).isZero();
    assertThat(claimRef.stdout()).contains("FIELD: claimRef <ObjectReference>", "uid\t<string>");
  }

  @Test
  void aKindTheEdgeApiDoesNotServeIsNamed() {
    Kubectl.Result deployment = kubectl.run("create", "deployment", "web", "--image=nginx");
    assertThat(deployment.exitCode()).isNotZero();
    assertThat(deployment.stderr())
        .contains("deployments.apps is not served by the edge API", "kubectl api-resources");
    // a get asks discovery first, as against kube-apiserver
    Kubectl.Result get = kubectl.run("get", "deployments");
    assertThat(get.exitCode()).isNotZero();
    assertThat(get.stderr()).contains("the server doesn't have a resource type \"deployments\"");
  }

  @Test
  void logsAndExecSayTheEdgeApiDoesNotServeThem() {
    Kubectl.Result logs = kubectl.run("logs", "web-0");
    assertThat(logs.exitCode()).isNotZero();
    assertThat(logs.stderr()).contains("pods/log is not served by the edge API", "crictl logs");
    Kubectl.Result exec = kubectl.run("exec", "web-0", "--", "ls");
    assertThat(exec.exitCode()).isNotZero();
    assertThat(exec.stderr()).contains("pods/exec is not served by the edge API");
  }

  @Test
  void claimsVolumesAndAttachmentsPrintKubeApiserversColumns() throws Exception {
    edge.append(
        upsert(
            json(
                "{\"apiVersion\":\"v1\",\"kind\":\"PersistentVolumeClaim\",\"metadata\":"
                    + "{\"name\":\"data\",\"namespace\":\"default\"},\"spec\":{\"volumeName\":"
                    + "\"pv-data\",\"storageClassName\":\"local\"},\"status\":{\"phase\":\"Bound\","
                    + "\"capacity\":{\"storage\":\"1024Mi\"},\"accessModes\":[\"ReadWriteOnce\"]}}"),
            "30"));
    edge.append(
        upsert(
            json(
                "{\"apiVersion\":\"v1\",\"kind\":\"PersistentVolume\",\"metadata\":"
                    + "{\"name\":\"pv-data\"},\"spec\":{\"capacity\":{\"storage\":\"1Gi\"},"
                    + "\"accessModes\":[\"ReadWriteOnce\"],\"persistentVolumeReclaimPolicy\":"
                    + "\"Retain\",\"claimRef\":{\"namespace\":\"default\",\"name\":\"data\"},"
                    + "\"storageClassName\":\"local\",\"local\":{\"path\":\"/mnt/data\"}},"
                    + "\"status\":{\"phase\":\"Bound\"}}"),
            "31"));
    edge.append(
        upsert(
            json(
                "{\"apiVersion\":\"storage.k8s.io/v1\",\"kind\":\"VolumeAttachment\","
                    + "\"metadata\":{\"name\":\"csi-0a1b\"},\"spec\":{\"attacher\":"
                    + "\"hostpath.csi.k8s.io\",\"nodeName\":\"edge-1\",\"source\":"
                    + "{\"persistentVolumeName\":\"pv-data\"}},\"status\":{\"attached\":true}}"),
            "32"));
    Kubectl.Result claims = kubectl.run("get", "pvc");
    assertThat(claims.exitCode()).as(claims.stderr()).isZero();
    assertThat(claims.stdout().lines().findFirst().orElse(""))
        .matches(
            "NAME +STATUS +VOLUME +CAPACITY +ACCESS MODES +STORAGECLASS +VOLUMEATTRIBUTESCLASS"
                + " +AGE");
    assertThat(claims.stdout().lines().skip(1).findFirst().orElse(""))
        .matches("data +Bound +pv-data +1Gi +RWO +local +<unset> +\\S+");
    Kubectl.Result volumes = kubectl.run("get", "pv");
    assertThat(volumes.exitCode()).as(volumes.stderr()).isZero();
    assertThat(volumes.stdout().lines().findFirst().orElse(""))
        .matches(
            "NAME +CAPACITY +ACCESS MODES +RECLAIM POLICY +STATUS +CLAIM +STORAGECLASS"
                + " +VOLUMEATTRIBUTESCLASS +REASON +AGE");
    assertThat(volumes.stdout()).contains("pv-data", "Retain", "default/data");
    Kubectl.Result attachments = kubectl.run("get", "volumeattachments");
    assertThat(attachments.exitCode()).as(attachments.stderr()).isZero();
    assertThat(attachments.stdout().lines().findFirst().orElse(""))
        .matches("NAME +ATTACHER +PV +NODE +ATTACHED +AGE");
    assertThat(attachments.stdout()).contains("hostpath.csi.k8s.io", "true");
  }

  private static com.fasterxml.jackson.databind.node.ObjectNode json(String text) throws Exception {
    return (com.fasterxml.jackson.databind.node.ObjectNode) EventCodec.json().readTree(text);
  }
}
