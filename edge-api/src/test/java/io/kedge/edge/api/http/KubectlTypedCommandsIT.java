package io.kedge.edge.api.http;

import static io.kedge.edge.api.view.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.WriteRequest;
import io.kedge.testkit.Kubectl;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kubectl's typed commands, which send Kubernetes protobuf bodies, and its label edits seen by a
 * watch with a selector, against an edge API whose writes the simulated cloud decides.
 */
class KubectlTypedCommandsIT {
  private EdgeApiFixture edge;
  private Kubectl kubectl;

  @BeforeEach
  void start() throws Exception {
    Path binary = EdgeApiFixture.kubectlOrSkip();
    edge = new EdgeApiFixture(Duration.ofSeconds(10));
    kubectl = Kubectl.at(binary, edge.url());
  }

  @AfterEach
  void stop() {
    if (edge != null) {
      edge.close();
    }
  }

  private JsonNode stored(String key) {
    return edge.cloud.stored(ObjectKey.parse(key));
  }

  @Test
  void createConfigMapSecretNamespaceRunAndExposeSendProtobuf() {
    Kubectl.Result cm =
        kubectl.run(
            "create", "configmap", "settings", "--from-literal=mode=fast", "--from-literal=n=3");
    assertThat(cm.exitCode()).as(cm.stderr()).isZero();
    assertThat(cm.stdout()).contains("configmap/settings created");
    JsonNode settings = stored("/v1/ConfigMap/default/settings");
    assertThat(settings.at("/data/mode").asText()).isEqualTo("fast");
    assertThat(settings.at("/data/n").asText()).isEqualTo("3");
    assertThat(settings.at("/metadata/uid").asText()).isNotEmpty();
    assertThat(settings.at("/metadata/generateName").isMissingNode())
        .as("Go's empty strings are left out as omitempty does")
        .isTrue();

    Kubectl.Result secret =
        kubectl.run("create", "secret", "generic", "token", "--from-literal=key=s3cr3t");
    assertThat(secret.exitCode()).as(secret.stderr()).isZero();
    assertThat(stored("/v1/Secret/default/token").at("/data/key").asText())
        .isEqualTo(
            java.util.Base64.getEncoder()
                .encodeToString("s3cr3t".getBytes(StandardCharsets.UTF_8)));

    Kubectl.Result ns = kubectl.run("create", "namespace", "shop");
    assertThat(ns.exitCode()).as(ns.stderr()).isZero();
    assertThat(stored("/v1/Namespace//shop")).isNotNull();

    Kubectl.Result run =
        kubectl.run(
            "run",
            "probe",
            "--image=busybox:1.36",
            "--labels=app=probe",
            "--port=8080",
            "--",
            "sleep",
            "3600");
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    JsonNode probe = stored("/v1/Pod/default/probe");
    assertThat(probe.at("/spec/containers/0/image").asText()).isEqualTo("busybox:1.36");
    assertThat(probe.at("/spec/containers/0/args").toString()).isEqualTo("[\"sleep\",\"3600\"]");
    assertThat(probe.at("/spec/containers/0/ports/0/containerPort").asInt()).isEqualTo(8080);
    assertThat(probe.at("/metadata/labels/app").asText()).isEqualTo("probe");

    Kubectl.Result expose =
        kubectl.run("expose", "pod", "probe", "--port=80", "--target-port=8080");
    assertThat(expose.exitCode()).as(expose.stderr()).isZero();
    JsonNode service = stored("/v1/Service/default/probe");
    assertThat(service.at("/spec/ports/0/port").asInt()).isEqualTo(80);
    assertThat(service.at("/spec/ports/0/targetPort").asInt())
        .as("an IntOrString holding a number is a JSON number")
        .isEqualTo(8080);
    assertThat(service.at("/spec/selector/app").asText()).isEqualTo("probe");

    Kubectl.Result listed = kubectl.run("get", "configmaps,secrets,pods,services", "-o", "name");
    assertThat(listed.stdout())
        .contains("configmap/settings", "secret/token", "pod/probe", "service/probe");
  }

  @Test
  void authWhoamiNamesTheNode() {
    // every client of a node's edge API acts as that node: its writes reach the cloud as the
    // node's and node authorization decides them
    Kubectl.Result whoami = kubectl.run("auth", "whoami");
    assertThat(whoami.exitCode()).as(whoami.stderr()).isZero();
    assertThat(whoami.stdout())
        .contains("Username", "system:node:edge-1")
        .contains("Groups", "[system:nodes system:authenticated]");
    Kubectl.Result json = kubectl.run("auth", "whoami", "-o", "json");
    assertThat(json.stdout())
        .contains(
            "\"kind\": \"SelfSubjectReview\"", "\"apiVersion\": \"authentication.k8s.io/v1\"");
    Kubectl.Result resources = kubectl.run("api-resources", "--api-group=authentication.k8s.io");
    assertThat(resources.stdout()).contains("selfsubjectreviews", "SelfSubjectReview");
  }

  @Test
  void createTokenSendsItsTokenRequestToTheCloud() {
    Kubectl.Result token =
        kubectl.run(
            "create",
            "token",
            "coredns",
            "-n",
            "kube-system",
            "--audience=https://kubernetes.default.svc",
            "--duration=10m");
    // the simulated cloud decides as the standalone applier, which issues no tokens
    assertThat(token.exitCode()).isNotZero();
    assertThat(token.stderr()).contains("tokens are answered in Kubernetes mode");
    WriteRequest forwarded = edge.cloud.forwarded.get(edge.cloud.forwarded.size() - 1);
    assertThat(forwarded.key().toString()).isEqualTo("/v1/ServiceAccount/kube-system/coredns");
    assertThat(forwarded.subresource()).isEqualTo("token");
    assertThat(forwarded.body().at("/spec/audiences/0").asText())
        .isEqualTo("https://kubernetes.default.svc");
    assertThat(forwarded.body().at("/spec/expirationSeconds").asLong()).isEqualTo(600);
  }

  @Test
  void createFromYamlBodiesAndRefuseUnknownMediaTypes(@TempDir Path tmp) throws Exception {
    String yaml =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  a: \"1\"\n";
    var created = postConfigMap("application/yaml", yaml);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(stored("/v1/ConfigMap/default/from-yaml").at("/data/a").asText()).isEqualTo("1");

    var xml = postConfigMap("application/xml", "<x/>");
    assertThat(xml.statusCode()).isEqualTo(415);
    assertThat(
            EventCodec.readJson(xml.body().getBytes(StandardCharsets.UTF_8))
                .path("reason")
                .asText())
        .isEqualTo("UnsupportedMediaType");

    var broken = postConfigMap("application/vnd.kubernetes.protobuf", "k8s\0garbage");
    assertThat(broken.statusCode()).as(broken.body()).isEqualTo(415);
    assertThat(edge.cloud.forwarded).as("nothing rejected reaches the cloud").hasSize(1);
  }

  private java.net.http.HttpResponse<String> postConfigMap(String contentType, String body)
      throws Exception {
    return java.net.http.HttpClient.newHttpClient()
        .send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(edge.url() + "/api/v1/namespaces/default/configmaps"))
                .header("Content-Type", contentType)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void applyPrunesWhatTheAllowlistNames(@TempDir Path tmp) throws Exception {
    String pod =
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\n  labels:\n    set: b\nspec:\n"
            + "  nodeName: edge-1\n  containers:\n  - name: c\n    image: nginx:1\n";
    Path both = tmp.resolve("both.yaml");
    Files.writeString(both, pod.formatted("pa") + "---\n" + pod.formatted("pb"));
    Path one = tmp.resolve("one.yaml");
    Files.writeString(one, pod.formatted("pa"));
    java.util.function.Function<Path, Kubectl.Result> applyPruning =
        file ->
            kubectl.run(
                "apply",
                "--prune",
                "-l",
                "set=b",
                "--prune-allowlist=core/v1/Pod",
                "-f",
                file.toString());
    applyPruning.apply(both).assertSucceeded();
    Kubectl.Result pruned = applyPruning.apply(one);
    pruned.assertSucceeded();
    assertThat(pruned.stdout()).contains("pod/pa unchanged", "pod/pb pruned");
    assertThat(stored("/v1/Pod/default/pb")).isNull();
    assertThat(stored("/v1/Pod/default/pa")).isNotNull();

    // kubectl's default list names kinds the edge API does not serve (ReplicationController,
    // Deployment, Job...): without an allowlist it stops before pruning anything
    Kubectl.Result unlisted = kubectl.run("apply", "--prune", "-l", "set=b", "-f", one.toString());
    assertThat(unlisted.exitCode()).isNotZero();
    assertThat(unlisted.stderr()).contains("ReplicationController");
  }

  @Test
  void aLabelChangeMovesAPodInAndOutOfAWatchWithASelector(@TempDir Path tmp) throws Exception {
    edge.seed(pod("default", "web-0", "edge-1", "Running", "app", "web"));
    Path out = tmp.resolve("watch.out");
    Path err = tmp.resolve("watch.err");
    Process watch =
        kubectl.start(out, err, "get", "pods", "-l", "app=web", "-w", "--output-watch-events");
    try {
      Kubectl.awaitContains(out, "ADDED", Duration.ofSeconds(30));
      Kubectl.Result relabel = kubectl.run("label", "pod", "web-0", "app=other", "--overwrite");
      assertThat(relabel.exitCode()).as(relabel.stderr()).isZero();
      Kubectl.awaitContains(out, "DELETED", Duration.ofSeconds(30));
      Kubectl.Result back = kubectl.run("label", "pod", "web-0", "app=web", "--overwrite");
      assertThat(back.exitCode()).as(back.stderr()).isZero();
      org.awaitility.Awaitility.await("the pod is ADDED again")
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> Files.readString(out).lines().filter(l -> l.startsWith("ADDED")).count() == 2);
      assertThat(
              Files.readString(out)
                  .lines()
                  .skip(1)
                  .map(l -> String.join(" ", List.of(l.split("\\s+")).subList(0, 2))))
          .containsExactly("ADDED web-0", "DELETED web-0", "ADDED web-0");
    } finally {
      watch.destroy();
    }
  }

  @Test
  void applyServerSideTracksManagersConflictsAndForce(@TempDir Path tmp) throws Exception {
    Path manifest = tmp.resolve("app.yaml");
    Files.writeString(
        manifest,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  labels:\n    tier: front\n"
            + "data:\n  mode: fast\n");
    Kubectl.Result created = kubectl.run("apply", "--server-side", "-f", manifest.toString());
    assertThat(created.exitCode()).as(created.stderr()).isZero();
    assertThat(created.stdout()).contains("configmap/app serverside-applied");
    Kubectl.Result again = kubectl.run("apply", "--server-side", "-f", manifest.toString());
    assertThat(again.exitCode()).as(again.stderr()).isZero();

    Kubectl.Result label = kubectl.run("label", "configmap", "app", "tier=back", "--overwrite");
    assertThat(label.exitCode()).as(label.stderr()).isZero();
    Kubectl.Result conflict = kubectl.run("apply", "--server-side", "-f", manifest.toString());
    assertThat(conflict.exitCode()).isNotZero();
    assertThat(conflict.stderr())
        .contains("Apply failed with 1 conflict")
        .contains("conflict with \"kubectl-label\"")
        .contains(".metadata.labels.tier");

    Kubectl.Result forced =
        kubectl.run("apply", "--server-side", "--force-conflicts", "-f", manifest.toString());
    assertThat(forced.exitCode()).as(forced.stderr()).isZero();
    assertThat(stored("/v1/ConfigMap/default/app").at("/metadata/labels/tier").asText())
        .isEqualTo("front");
    Kubectl.Result fields =
        kubectl.run("get", "configmap", "app", "-o", "yaml", "--show-managed-fields");
    assertThat(fields.stdout()).contains("manager: kubectl", "operation: Apply", "f:mode: {}");

    Files.writeString(
        manifest, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  mode: fast\n");
    Kubectl.Result pruned = kubectl.run("apply", "--server-side", "-f", manifest.toString());
    assertThat(pruned.exitCode()).as(pruned.stderr()).isZero();
    assertThat(stored("/v1/ConfigMap/default/app").at("/metadata/labels/tier").isMissingNode())
        .as("a label the manager no longer applies, owned by no one else, is removed")
        .isTrue();
  }

  @Test
  void applyServerSideOwnsAServicesSelectorWholeAsKubeApiserverDoes(@TempDir Path tmp)
      throws Exception {
    Path manifest = tmp.resolve("svc.yaml");
    String service =
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n"
            + "    app: web\n%s  ports:\n  - port: 80\n";
    Files.writeString(manifest, service.formatted(""));
    kubectl
        .run("apply", "--server-side", "--field-manager=team-a", "-f", manifest.toString())
        .assertSucceeded();
    Kubectl.Result fields =
        kubectl.run("get", "service", "web", "-o", "yaml", "--show-managed-fields");
    assertThat(fields.stdout()).contains("f:selector: {}").doesNotContain("f:app: {}");

    Files.writeString(manifest, service.formatted("    tier: front\n"));
    Kubectl.Result conflict =
        kubectl.run("apply", "--server-side", "--field-manager=team-b", "-f", manifest.toString());
    assertThat(conflict.exitCode()).isNotZero();
    assertThat(conflict.stderr())
        .contains("Apply failed with 1 conflict", "conflict with \"team-a\"", ".spec.selector");
  }

  @Test
  void aStrategicPatchOfACustomResourceIsUnsupportedAsOnKubeApiserver() throws Exception {
    edge.serveCronTabs();
    var tab = EventCodec.json().createObjectNode();
    tab.put("apiVersion", "stable.example.com/v1").put("kind", "CronTab");
    tab.putObject("metadata").put("name", "nightly").put("namespace", "default");
    tab.putObject("spec").put("cronSpec", "* * * * */5").put("replicas", 3);
    edge.seed(tab);

    // kubectl patch sends a strategic merge patch unless told otherwise
    Kubectl.Result strategic = kubectl.run("patch", "crontab", "nightly", "-p", "{\"spec\":{}}");
    assertThat(strategic.exitCode()).isNotZero();
    // kubectl recognizes kube-apiserver's 415 and says which patch type the kind refuses
    assertThat(strategic.stderr())
        .contains(
            "error: application/strategic-merge-patch+json is not supported by"
                + " stable.example.com/v1, Kind=CronTab: the body of the request was in an unknown"
                + " format - accepted media types include: application/json-patch+json,"
                + " application/merge-patch+json, application/apply-patch+yaml");
    kubectl
        .run("patch", "crontab", "nightly", "--type=merge", "-p", "{\"spec\":{\"replicas\":5}}")
        .assertSucceeded();
    assertThat(stored("stable.example.com/v1/CronTab/default/nightly").at("/spec/replicas").asInt())
        .isEqualTo(5);
  }

  @Test
  void applyServerSideOfAnEdgeOwnedObjectWorksOffline(@TempDir Path tmp) throws Exception {
    edge.cloud.connected = false;
    Path lease = tmp.resolve("lease.yaml");
    Files.writeString(
        lease,
        "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n  name: edge-1\n"
            + "  namespace: kube-node-lease\nspec:\n  holderIdentity: edge-1\n"
            + "  leaseDurationSeconds: 40\n");
    Kubectl.Result applied = kubectl.run("apply", "--server-side", "-f", lease.toString());
    assertThat(applied.exitCode()).as(applied.stderr()).isZero();
    Kubectl.Result got =
        kubectl.run(
            "get",
            "lease",
            "-n",
            "kube-node-lease",
            "edge-1",
            "-o",
            "json",
            "--show-managed-fields");
    JsonNode object = EventCodec.readJson(got.stdout().getBytes(StandardCharsets.UTF_8));
    assertThat(object.at("/spec/holderIdentity").asText()).isEqualTo("edge-1");
    assertThat(object.at("/metadata/managedFields/0/operation").asText()).isEqualTo("Apply");
    assertThat(edge.cloud.forwarded).as("kept for the cloud").hasSize(1);
  }

  @Test
  void diffShowsOnlyTheChangeNotAVersion(@TempDir Path tmp) throws Exception {
    edge.seed(pod("default", "web-0", "edge-1", "Running", "app", "web"));
    Path manifest = tmp.resolve("web.yaml");
    Files.writeString(
        manifest,
        kubectl.run("get", "pod", "web-0", "-o", "yaml").stdout().replace("app: web", "app: web2"));
    Kubectl.Result diff = kubectl.run("diff", "-f", manifest.toString());
    assertThat(diff.exitCode()).as("1: differences found; " + diff.stderr()).isEqualTo(1);
    assertThat(diff.stdout()).contains("-    app: web", "+    app: web2");
    assertThat(diff.stdout().lines().filter(l -> l.matches("[-+] +resourceVersion.*")))
        .as("the dry run answers with the version this node's clients know")
        .isEmpty();
    assertThat(
            edge.cloud
                .stored(ObjectKey.parse("/v1/Pod/default/web-0"))
                .at("/metadata/labels/app")
                .asText())
        .as("a dry run changes nothing")
        .isEqualTo("web");
  }

  @Test
  void createFromAManifestWithQuantitiesAndPorts(@TempDir Path tmp) throws Exception {
    Path manifest = tmp.resolve("pod.yaml");
    Files.writeString(
        manifest,
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: sized
        spec:
          nodeName: edge-1
          containers:
          - name: app
            image: nginx:1.27
            ports:
            - containerPort: 80
            resources:
              limits: {cpu: 1, memory: 64Mi}
              requests: {cpu: 250m}
            livenessProbe:
              httpGet: {path: /, port: 80}
        """);
    Kubectl.Result created = kubectl.run("create", "-f", manifest.toString());
    assertThat(created.exitCode()).as(created.stderr()).isZero();
    assertThat(
            stored("/v1/Pod/default/sized").at("/spec/containers/0/resources/limits/cpu").asText())
        .isEqualTo("1");

    // kubectl sends fieldValidation=Strict, as the OpenAPI document offers it: typos are refused
    Files.writeString(
        manifest,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo\n  lables: {a: b}\ndatta:\n  a: b\n");
    Kubectl.Result typo = kubectl.run("create", "-f", manifest.toString());
    assertThat(typo.exitCode()).isNotZero();
    assertThat(typo.stderr())
        .contains("strict decoding error")
        .contains("unknown field \"datta\"")
        .contains("unknown field \"metadata.lables\"");
    assertThat(stored("/v1/ConfigMap/default/typo")).isNull();

    // a KubeEdge kind's fields are those of kedge's CRD, which the node holds no copy of
    Files.writeString(
        manifest,
        "apiVersion: devices.kubeedge.io/v1alpha2\nkind: Device\nmetadata:\n  name: sensor\n"
            + "spec:\n  deviceModelRefs:\n    name: thermometer\n");
    Kubectl.Result device = kubectl.run("create", "-f", manifest.toString());
    assertThat(device.exitCode()).isNotZero();
    assertThat(device.stderr()).contains("unknown field \"spec.deviceModelRefs\"");

    var warned =
        postConfigMap(
            "application/json",
            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"warned\"},\"datta\":{}}");
    assertThat(warned.statusCode()).as("kube-apiserver's default is Warn").isEqualTo(201);
    assertThat(warned.headers().allValues("Warning"))
        .containsExactly("299 - \"unknown field \\\"datta\\\"\"");
  }

  @Test
  void annotateEditAndReplace(@TempDir Path tmp) throws Exception {
    edge.seed(pod("default", "web-0", "edge-1", "Running", "app", "web"));
    Kubectl.Result annotate = kubectl.run("annotate", "pod", "web-0", "note=checked");
    assertThat(annotate.exitCode()).as(annotate.stderr()).isZero();
    assertThat(stored("/v1/Pod/default/web-0").at("/metadata/annotations/note").asText())
        .isEqualTo("checked");

    Kubectl.Result edit =
        kubectl
            .withEnvironment(
                java.util.Map.of("KUBE_EDITOR", "sed -i s/image:\\ nginx$/image:\\ nginx:2/"))
            .run("edit", "pod", "web-0");
    assertThat(edit.exitCode()).as(edit.stderr()).isZero();
    assertThat(edit.stdout()).contains("pod/web-0 edited");
    assertThat(stored("/v1/Pod/default/web-0").at("/spec/containers/0/image").asText())
        .isEqualTo("nginx:2");

    Path manifest = tmp.resolve("web.yaml");
    Files.writeString(
        manifest,
        kubectl.run("get", "pod", "web-0", "-o", "yaml").stdout().replace("app: web", "app: web3"));
    Kubectl.Result replace = kubectl.run("replace", "-f", manifest.toString());
    assertThat(replace.exitCode()).as(replace.stderr()).isZero();
    assertThat(stored("/v1/Pod/default/web-0").at("/metadata/labels/app").asText())
        .isEqualTo("web3");
  }

  @Test
  void aPodUpdateBeyondImagesIsInvalidAsKubectlShowsIt() {
    edge.seed(pod("default", "web-0", "edge-1", "Running", "app", "web"));
    Kubectl.Result env = kubectl.run("set", "env", "pod/web-0", "MODE=fast");
    assertThat(env.exitCode()).isNotZero();
    assertThat(env.stderr())
        .contains("Pod \"web-0\" is invalid: spec: Forbidden: pod updates may not change fields")
        .contains("changed: spec.containers[0].env");
    Kubectl.Result patch =
        kubectl.run(
            "patch",
            "pod",
            "web-0",
            "-p",
            "{\"spec\":{\"containers\":[{\"name\":\"app\",\"ports\":[{\"containerPort\":80}]}]}}");
    assertThat(patch.exitCode()).isNotZero();
    assertThat(patch.stderr()) // kubectl prints the cause of a 422 as the field and its error
        .contains("The Pod \"web-0\" is invalid: ")
        .contains("is invalid: spec: Forbidden: pod updates may not change fields other than")
        .contains("changed: spec.containers[0].ports");
    assertThat(stored("/v1/Pod/default/web-0").at("/spec/containers/0/env").isMissingNode())
        .isTrue();

    Kubectl.Result image = kubectl.run("set", "image", "pod/web-0", "app=nginx:3");
    assertThat(image.exitCode()).as(image.stderr()).isZero();
    assertThat(stored("/v1/Pod/default/web-0").at("/spec/containers/0/image").asText())
        .isEqualTo("nginx:3");
  }

  @Test
  void aNameKubeApiserverWouldRefuseIsInvalid() {
    Kubectl.Result configMap =
        kubectl.run("create", "configmap", "Bad_Name", "--from-literal=mode=fast");
    assertThat(configMap.exitCode()).isNotZero();
    assertThat(configMap.stderr())
        .contains(
            "ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a"
                + " lowercase RFC 1123 subdomain");
    Kubectl.Result service = kubectl.run("create", "service", "clusterip", "1web", "--tcp=80");
    assertThat(service.exitCode()).isNotZero();
    assertThat(service.stderr()).contains("a DNS-1035 label");
    assertThat(edge.cloud.stored(ObjectKey.parse("/v1/ConfigMap/default/Bad_Name"))).isNull();
  }
}
