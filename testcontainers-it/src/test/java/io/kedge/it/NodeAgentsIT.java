package io.kedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Message;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.edge.relay.link.LinkState;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceUpsert;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Coordination;
import io.kubernetes.client.proto.V1Events;
import io.kubernetes.client.proto.V1Storage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kubelet's, a kube-proxy's and a CSI registrar's calls against the edge API of a node the cloud
 * did not know, with the link cut in the middle and the node restarted while offline. The requests
 * follow those agents' sources (kubelet 1.35: {@code registerWithAPIServer}, the node lease
 * controller, {@code PatchNodeStatus}, the status manager's pod status patches, the event recorder;
 * kube-proxy's Service and EndpointSlice informers; the CSINode updates of the kubelet's CSI plugin
 * manager). Objects go as a kubelet sends them with its default content type: Kubernetes protobuf,
 * encoded by the generated classes of Kubernetes' models ({@code io.kubernetes:client-java-proto});
 * patches as JSON. After reconnecting, the cloud holds exactly the latest Lease, Node status and
 * pod status: nothing lost, nothing applied twice.
 */
class NodeAgentsIT {
  private static final String NODE = "agent-1";
  private static final String STRATEGIC = "application/strategic-merge-patch+json";
  private static final String JSON = "application/json";
  private static final String MERGE = "application/merge-patch+json";
  private static final String PROTOBUF = "application/vnd.kubernetes.protobuf";
  private static final long OFFLINE_SECONDS = Long.getLong("kedge.it.agents.offline-seconds", 0);
  private final HttpClient http = HttpClient.newHttpClient();

  record Reply(int code, JsonNode body) {}

  private Reply call(EdgeNode edge, String method, String path, String type, String body)
      throws IOException, InterruptedException {
    return callWithBytes(
        edge,
        method,
        path,
        type,
        body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** An object sent as a kubelet sends it by default. */
  private Reply send(EdgeNode edge, String method, String path, Message object, String apiVersion)
      throws IOException, InterruptedException {
    return callWithBytes(edge, method, path, PROTOBUF, protobuf(apiVersion, object));
  }

  private Reply callWithBytes(EdgeNode edge, String method, String path, String type, byte[] body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.apiPort() + path))
            .header("User-Agent", "kubelet/v1.35.0 (linux/amd64) kubernetes/abcdef")
            .header("Accept", PROTOBUF + ", */*")
            .timeout(Duration.ofSeconds(30));
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    if (type != null) {
      request.header("Content-Type", type);
    }
    HttpResponse<byte[]> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    return new Reply(response.statusCode(), EventCodec.readJson(response.body()));
  }

  /**
   * Kubernetes' protobuf envelope around {@code object}, as client-go's protobuf serializer writes
   * it: the magic, then a {@code runtime.Unknown} with the type, the raw message and (Go writes
   * every string) empty content encoding and type.
   */
  private static byte[] protobuf(String apiVersion, Message object) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(new byte[] {'k', '8', 's', 0});
    Runtime.Unknown.newBuilder()
        .setTypeMeta(
            Runtime.TypeMeta.newBuilder()
                .setApiVersion(apiVersion)
                .setKind(object.getDescriptorForType().getName()))
        .setRaw(object.toByteString())
        .setContentEncoding("")
        .setContentType("")
        .build()
        .writeTo(out);
    return out.toByteArray();
  }

  private static V1.Node node() {
    return V1.Node.newBuilder()
        .setMetadata(
            Meta.ObjectMeta.newBuilder()
                .setName(NODE)
                .putLabels("kubernetes.io/hostname", NODE)
                .putLabels("kubernetes.io/os", "linux"))
        .setSpec(V1.NodeSpec.newBuilder())
        .build();
  }

  /** The metadata a client sends back on an update: what it read. */
  private static Meta.ObjectMeta.Builder readMetadata(JsonNode object) {
    JsonNode metadata = object.path("metadata");
    Meta.ObjectMeta.Builder meta =
        Meta.ObjectMeta.newBuilder()
            .setName(metadata.path("name").asText())
            .setUid(metadata.path("uid").asText())
            .setResourceVersion(metadata.path("resourceVersion").asText())
            .setCreationTimestamp(
                Meta.Time.newBuilder()
                    .setSeconds(
                        Instant.parse(metadata.path("creationTimestamp").asText())
                            .getEpochSecond()));
    if (metadata.has("namespace")) {
      meta.setNamespace(metadata.path("namespace").asText());
    }
    return meta;
  }

  private static Meta.MicroTime microTimeMessage(String rfc3339) {
    Instant at = Instant.parse(rfc3339);
    return Meta.MicroTime.newBuilder()
        .setSeconds(at.getEpochSecond())
        .setNanos(at.getNano())
        .build();
  }

  private static String nodeStatusPatch(Instant heartbeat) {
    String time = heartbeat.truncatedTo(ChronoUnit.SECONDS).toString();
    return "{\"status\":{\"$setElementOrder/conditions\":[{\"type\":\"MemoryPressure\"},"
        + "{\"type\":\"Ready\"}],\"conditions\":[{\"type\":\"MemoryPressure\",\"status\":\"False\","
        + "\"lastHeartbeatTime\":\""
        + time
        + "\",\"reason\":\"KubeletHasSufficientMemory\"},{\"type\":\"Ready\",\"status\":\"True\","
        + "\"lastHeartbeatTime\":\""
        + time
        + "\",\"reason\":\"KubeletReady\"}]}}";
  }

  /** The node lease controller: GET, create when missing, then PUT with a new renewTime. */
  private final class LeaseController {
    private final String path = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/";
    private ObjectNode lease;
    private String lastRenew = "";
    private int renewals;

    void renew(EdgeNode edge) throws Exception {
      if (lease == null) {
        Reply got = call(edge, "GET", path + NODE, null, null);
        if (got.code() == 404) {
          V1Coordination.Lease fresh =
              V1Coordination.Lease.newBuilder()
                  .setMetadata(
                      Meta.ObjectMeta.newBuilder().setName(NODE).setNamespace("kube-node-lease"))
                  .setSpec(
                      V1Coordination.LeaseSpec.newBuilder()
                          .setHolderIdentity(NODE)
                          .setLeaseDurationSeconds(40))
                  .build();
          Reply created =
              send(
                  edge,
                  "POST",
                  "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
                  fresh,
                  "coordination.k8s.io/v1");
          assertThat(created.code()).as(created.body().toString()).isEqualTo(201);
          got = created;
        }
        assertThat(got.code()).as(got.body().toString()).isIn(200, 201);
        lease = (ObjectNode) got.body();
      }
      V1Coordination.Lease next =
          V1Coordination.Lease.newBuilder()
              .setMetadata(readMetadata(lease))
              .setSpec(
                  V1Coordination.LeaseSpec.newBuilder()
                      .setHolderIdentity(lease.at("/spec/holderIdentity").asText())
                      .setLeaseDurationSeconds(lease.at("/spec/leaseDurationSeconds").asInt())
                      .setRenewTime(microTimeMessage(microTime(renewals))))
              .build();
      Reply put = send(edge, "PUT", path + NODE, next, "coordination.k8s.io/v1");
      if (put.code() == 409) {
        lease = null; // the controller re-gets on conflict
        renew(edge);
        return;
      }
      assertThat(put.code()).as(put.body().toString()).isEqualTo(200);
      lease = (ObjectNode) put.body();
      lastRenew = lease.at("/spec/renewTime").asText();
      renewals++;
    }
  }

  private static String microTime(int sequence) {
    return Instant.parse("2026-12-01T00:00:00Z")
        .plusSeconds(sequence)
        .toString()
        .replace("Z", ".000000Z");
  }

  @Test
  void kubeletKubeProxyAndCsiRegistrarOnlineOfflineAndAfterARestart(@TempDir Path tmp)
      throws Exception {
    // as in production: the node signs what it sends, and may write only its own objects
    byte[] secret = new byte[32];
    new java.security.SecureRandom().nextBytes(secret);
    Path keyFile = tmp.resolve(NODE + ".key");
    java.nio.file.Files.writeString(
        keyFile,
        io.kedge.schemas.authorization.NodeSignatures.encode(
            io.kedge.schemas.authorization.NodeSignatures.nodeKey(secret, NODE)));
    Map<String, Object> flags =
        Map.of(
            "edge.register-node",
            true,
            "edge.node-key-file",
            keyFile.toString(),
            "edge.node-writes",
            "");
    try (CloudEnvironment cloud =
        new CloudEnvironment(
            "agents",
            tmp,
            config ->
                config
                    .withNodeKeySecret(secret)
                    .withNodeWrites(io.kedge.kube.authorization.NodeWriteRules.NONE))) {
      Path data = tmp.resolve("edge");
      LeaseController leases = new LeaseController();
      Instant heartbeat = Instant.parse("2026-12-01T00:00:00Z");
      String uid;
      try (EdgeNode edge = EdgeNode.start(cloud.edgeConfig(NODE, data, flags), "test")) {
        // a node the cloud does not know registers itself, and its topic appears
        Awaitility.await("registered and connected")
            .atMost(Duration.ofSeconds(90))
            .until(() -> edge.linkState() == LinkState.CONNECTED && hasNode(edge));

        // kubelet: registerWithAPIServer: create, 409, get, patch status
        Reply create = send(edge, "POST", "/api/v1/nodes", node(), "v1");
        assertThat(create.code()).as(create.body().toString()).isEqualTo(409);
        assertThat(create.body().path("reason").asText()).isEqualTo("AlreadyExists");
        Reply node = call(edge, "GET", "/api/v1/nodes/" + NODE, null, null);
        assertThat(node.code()).isEqualTo(200);
        assertThat(node.body().at("/metadata/labels/node-role.kubernetes.io~1edge").isTextual())
            .isTrue();
        // registered as the host describes itself, until the kubelet's status replaces it
        assertThat(node.body().at("/status/capacity/cpu").asInt()).isPositive();
        assertThat(node.body().at("/status/nodeInfo/kernelVersion").asText())
            .isEqualTo(System.getProperty("os.version"));
        Reply status =
            call(
                edge,
                "PATCH",
                "/api/v1/nodes/" + NODE + "/status",
                STRATEGIC,
                nodeStatusPatch(heartbeat));
        assertThat(status.code()).as(status.body().toString()).isEqualTo(200);
        leases.renew(edge);

        // the pod the cloud binds here, seen by the kubelet's field-selected list and watch
        cloud.apply(CloudEnvironment.pod("web", NODE));
        Awaitility.await("pod listed for the node")
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    call(
                                edge,
                                "GET",
                                "/api/v1/pods?fieldSelector=spec.nodeName%3D" + NODE,
                                null,
                                null)
                            .body()
                            .path("items")
                            .size()
                        == 1);
        Reply pod = call(edge, "GET", "/api/v1/namespaces/default/pods/web", null, null);
        uid = pod.body().at("/metadata/uid").asText();
        assertThat(pod.body().at("/status/phase").asText())
            .as("created Pending, as kube-apiserver creates a pod")
            .isEqualTo("Pending");
        assertThat(uid).isNotEmpty();
        assertThat(podStatus(edge, uid, "Pending").code()).isEqualTo(200);
        Reply event =
            send(
                edge,
                "POST",
                "/api/v1/namespaces/default/events",
                event("web.scheduled", "Scheduled"),
                "v1");
        assertThat(event.code()).as(event.body().toString()).isEqualTo(201);

        // kube-proxy: its start event (events.k8s.io), then services and endpoint slices with its
        // label selector, its node by name
        Reply proxyEvent =
            send(
                edge,
                "POST",
                "/apis/events.k8s.io/v1/namespaces/default/events",
                V1Events.Event.newBuilder()
                    .setMetadata(
                        Meta.ObjectMeta.newBuilder()
                            .setName(NODE + ".proxy-start")
                            .setNamespace("default"))
                    .setEventTime(microTimeMessage("2026-12-01T00:00:00.250000Z"))
                    .setReportingController("kube-proxy")
                    .setReportingInstance("kube-proxy-" + NODE)
                    .setAction("StartKubeProxy")
                    .setReason("Starting")
                    .setRegarding(
                        V1.ObjectReference.newBuilder().setKind("Node").setName(NODE).setUid(NODE))
                    .setType("Normal")
                    .build(),
                "events.k8s.io/v1");
        assertThat(proxyEvent.code()).as(proxyEvent.body().toString()).isEqualTo(201);
        assertThat(proxyEvent.body().path("eventTime").asText())
            .isEqualTo("2026-12-01T00:00:00.250000Z");
        String proxySelector =
            "%21service.kubernetes.io%2Fheadless%2C%21service.kubernetes.io%2Fservice-proxy-name";
        assertThat(
                call(edge, "GET", "/api/v1/services?labelSelector=" + proxySelector, null, null)
                    .code())
            .isEqualTo(200);
        assertThat(
                call(
                        edge,
                        "GET",
                        "/apis/discovery.k8s.io/v1/endpointslices?labelSelector=" + proxySelector,
                        null,
                        null)
                    .code())
            .isEqualTo(200);
        assertThat(
                call(edge, "GET", "/api/v1/nodes?fieldSelector=metadata.name%3D" + NODE, null, null)
                    .body()
                    .path("items")
                    .size())
            .isEqualTo(1);

        // CSI: the kubelet's plugin manager creates the CSINode, then adds the driver; annotates
        // the Node
        Reply csiMissing =
            call(edge, "GET", "/apis/storage.k8s.io/v1/csinodes/" + NODE, null, null);
        assertThat(csiMissing.code()).isEqualTo(404);
        Reply csi =
            send(
                edge,
                "POST",
                "/apis/storage.k8s.io/v1/csinodes",
                V1Storage.CSINode.newBuilder()
                    .setMetadata(Meta.ObjectMeta.newBuilder().setName(NODE))
                    .setSpec(V1Storage.CSINodeSpec.newBuilder())
                    .build(),
                "storage.k8s.io/v1");
        assertThat(csi.code()).as(csi.body().toString()).isEqualTo(201);
        V1Storage.CSINode withDriver =
            V1Storage.CSINode.newBuilder()
                .setMetadata(readMetadata(csi.body()))
                .setSpec(
                    V1Storage.CSINodeSpec.newBuilder()
                        .addDrivers(
                            V1Storage.CSINodeDriver.newBuilder()
                                .setName("hostpath.csi.k8s.io")
                                .setNodeID(NODE)))
                .build();
        Reply csiUpdated =
            send(
                edge,
                "PUT",
                "/apis/storage.k8s.io/v1/csinodes/" + NODE,
                withDriver,
                "storage.k8s.io/v1");
        assertThat(csiUpdated.code()).as(csiUpdated.body().toString()).isEqualTo(200);
        assertThat(
                call(
                        edge,
                        "PATCH",
                        "/api/v1/nodes/" + NODE,
                        STRATEGIC,
                        "{\"metadata\":{\"annotations\":{\"csi.volume.kubernetes.io/nodeid\":"
                            + "\"{\\\"hostpath.csi.k8s.io\\\":\\\""
                            + NODE
                            + "\\\"}\"}}}")
                    .code())
            .isEqualTo(200);

        // volume manager: a pod mounting a claim; the kubelet reads the claim, then the volume
        // bound to it, and mounts only if the volume's claimRef names the claim's uid
        cloud.apply(CloudEnvironment.claim("default", "data", "pv-data"));
        cloud.apply(CloudEnvironment.podUsingClaim("default", "db", NODE, "settings", "data"));
        Awaitility.await("the claim reaches the node with the pod")
            .atMost(Duration.ofSeconds(30))
            .until(() -> claim(edge).code() == 200);
        String claimUid = claim(edge).body().at("/metadata/uid").asText();
        assertThat(claimUid).isNotEmpty();
        ObjectNode bound = CloudEnvironment.persistentVolume("pv-data", "default", "data");
        bound.withObject("spec").withObject("claimRef").put("uid", claimUid); // as the binder sets
        cloud.apply(bound);
        Awaitility.await("the volume bound to the claim follows it to the node")
            .atMost(Duration.ofSeconds(30))
            .until(() -> volume(edge).code() == 200);
        assertMountable(edge, claimUid);
        // the volume manager reports an expansion in the claim's status (a node may write only
        // its capacity and conditions: CloudNodeAuthorizationTest)
        Reply expanded =
            call(
                edge,
                "PATCH",
                "/api/v1/namespaces/default/persistentvolumeclaims/data/status",
                STRATEGIC,
                "{\"status\":{\"capacity\":{\"storage\":\"2Gi\"},\"conditions\":"
                    + "[{\"type\":\"FileSystemResizePending\",\"status\":\"True\"}]}}");
        assertThat(expanded.code()).as(expanded.body().toString()).isEqualTo(200);
        Awaitility.await("the cloud applied the claim's new capacity and sent it back")
            .atMost(Duration.ofSeconds(30))
            .until(() -> claim(edge).body().at("/status/capacity/storage").asText().equals("2Gi"));

        // the link goes down: the node's own writes are still answered at once
        cloud.link.cut();
        Awaitility.await("link down")
            .atMost(Duration.ofSeconds(60))
            .until(() -> edge.linkState() == LinkState.DISCONNECTED);
        // CI: five heartbeats; -Dkedge.it.agents.offline-seconds=600 keeps beating every 10 s
        long offlineUntil = System.nanoTime() + Duration.ofSeconds(OFFLINE_SECONDS).toNanos();
        for (int i = 0; i < 5 || System.nanoTime() < offlineUntil; i++) {
          heartbeat = heartbeat.plusSeconds(10);
          heartbeat(edge, leases, heartbeat);
          if (OFFLINE_SECONDS > 0) {
            long due = System.nanoTime() + Duration.ofSeconds(10).toNanos(); // a kubelet's cadence
            Awaitility.await("the next heartbeat is due")
                .atMost(Duration.ofSeconds(11))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> System.nanoTime() >= due);
          }
        }
        assertThat(podStatus(edge, uid, "Running").code()).isEqualTo(200);
        assertThat(
                send(
                        edge,
                        "POST",
                        "/api/v1/namespaces/default/events",
                        event("web.started", "Started"),
                        "v1")
                    .code())
            .isEqualTo(201);
        Reply cloudOwned =
            call(
                edge,
                "POST",
                "/api/v1/namespaces/default/configmaps",
                JSON,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"}}");
        assertThat(cloudOwned.code()).as("not the node's to write, online or not").isEqualTo(403);
      }

      // restarted while still offline: answers from its log at once, and keeps renewing
      try (EdgeNode edge = EdgeNode.start(cloud.edgeConfig(NODE, data, flags), "test")) {
        Awaitility.await("ready").atMost(Duration.ofSeconds(30)).until(edge::ready);
        assertThat(
                call(edge, "GET", "/api/v1/namespaces/default/pods/web", null, null)
                    .body()
                    .at("/status/phase")
                    .asText())
            .isEqualTo("Running");
        for (int i = 0; i < 3; i++) {
          heartbeat = heartbeat.plusSeconds(10);
          heartbeat(edge, leases, heartbeat);
        }
        assertThat(podStatus(edge, uid, "Succeeded").code()).isEqualTo(200);
        Reply restartedClaim = claim(edge);
        assertMountable(edge, restartedClaim.body().at("/metadata/uid").asText());

        cloud.link.restore();
        Instant lastHeartbeat = heartbeat;
        Awaitility.await("the cloud holds the latest Lease, Node status and pod status")
            .atMost(Duration.ofSeconds(90))
            .until(
                () -> {
                  Map<String, List<ObjectNode>> stored = resources(cloud);
                  List<ObjectNode> lease =
                      stored.getOrDefault(
                          "coordination.k8s.io/Lease/kube-node-lease/" + NODE, List.of());
                  List<ObjectNode> node = stored.getOrDefault("/Node//" + NODE, List.of());
                  List<ObjectNode> pod = stored.getOrDefault("/Pod/default/web", List.of());
                  return !lease.isEmpty()
                      && last(lease).at("/spec/renewTime").asText().equals(leases.lastRenew)
                      && !node.isEmpty()
                      && readyHeartbeat(last(node)).equals(lastHeartbeat.toString())
                      && !pod.isEmpty()
                      && last(pod).at("/status/phase").asText().equals("Succeeded");
                });
        Map<String, List<ObjectNode>> stored = resources(cloud);
        List<String> renewTimes =
            stored.get("coordination.k8s.io/Lease/kube-node-lease/" + NODE).stream()
                .map(l -> l.at("/spec/renewTime").asText(""))
                .filter(t -> !t.isEmpty())
                .toList();
        List<String> written = new ArrayList<>();
        for (int i = 0; i < leases.renewals; i++) {
          written.add(microTime(i));
        }
        assertThat(renewTimes)
            .as("every renewal once, in order")
            .containsExactlyElementsOf(written);
        List<String> phases =
            stored.get("/Pod/default/web").stream()
                .map(p -> p.at("/status/phase").asText(""))
                .toList();
        // stored as applied, then the kubelet's changes: its first status (still Pending) adds
        // the pod's startTime
        assertThat(phases)
            .as("pod statuses once each, in order")
            .containsSubsequence("Pending", "Running", "Succeeded");
        for (String phase : List.of("Pending", "Running", "Succeeded")) {
          assertThat(phases.stream().filter(p -> p.equals(phase)).count()).as(phase).isEqualTo(1);
        }
        assertThat(
                last(stored.get("storage.k8s.io/CSINode//" + NODE))
                    .at("/spec/drivers/0/name")
                    .asText())
            .isEqualTo("hostpath.csi.k8s.io");
        assertThat(stored.keySet().stream().filter(k -> k.startsWith("/Event/default/")).toList())
            .containsExactlyInAnyOrder(
                "/Event/default/web.scheduled", "/Event/default/web.started");
        assertThat(last(stored.get("events.k8s.io/Event/default/" + NODE + ".proxy-start")))
            .as("kube-proxy's event reached the cloud")
            .isNotNull();
        for (String reason : io.kedge.cloud.router.UpstreamRejections.REASONS) {
          assertThat(cloud.router.rejections().total(reason))
              .as("the agents' calls are all the node's own, signed by it: " + reason)
              .isZero();
        }
        Awaitility.await("the link is up again")
            .atMost(Duration.ofSeconds(60))
            .until(() -> edge.linkState() == LinkState.CONNECTED);
        Reply lease =
            call(
                edge,
                "GET",
                "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/" + NODE,
                null,
                null);
        assertThat(lease.body().at("/spec/renewTime").asText()).isEqualTo(leases.lastRenew);

        // status manager: a finished pod is deleted by its kubelet, at once and only if it is still
        // the pod that ran (DeleteOptions in protobuf, the pod's uid as precondition)
        Reply stale =
            send(
                edge,
                "DELETE",
                "/api/v1/namespaces/default/pods/web",
                deleteOptions("00000000-0000-4000-8000-000000000000"),
                "v1");
        assertThat(stale.code()).as(stale.body().toString()).isEqualTo(409);
        assertThat(stale.body().path("message").asText()).contains("Precondition failed: UID");
        Reply deleted =
            send(edge, "DELETE", "/api/v1/namespaces/default/pods/web", deleteOptions(uid), "v1");
        assertThat(deleted.code()).as(deleted.body().toString()).isEqualTo(200);
        assertThat(call(edge, "GET", "/api/v1/namespaces/default/pods/web", null, null).code())
            .as("gone from the node once the cloud has deleted it")
            .isEqualTo(404);
      }
    }
  }

  private static Meta.DeleteOptions deleteOptions(String uid) {
    return Meta.DeleteOptions.newBuilder()
        .setGracePeriodSeconds(0)
        .setPreconditions(Meta.Preconditions.newBuilder().setUid(uid))
        .build();
  }

  /** What a kubelet does every 10 s: renew its Lease, and patch its Node's status. */
  private void heartbeat(EdgeNode edge, LeaseController leases, Instant at) throws Exception {
    leases.renew(edge);
    Reply status =
        call(edge, "PATCH", "/api/v1/nodes/" + NODE + "/status", STRATEGIC, nodeStatusPatch(at));
    assertThat(status.code()).as(status.body().toString()).isEqualTo(200);
  }

  private Reply claim(EdgeNode edge) throws Exception {
    return call(edge, "GET", "/api/v1/namespaces/default/persistentvolumeclaims/data", null, null);
  }

  private Reply volume(EdgeNode edge) throws Exception {
    return call(edge, "GET", "/api/v1/persistentvolumes/pv-data", null, null);
  }

  /** What the kubelet's volume manager checks before it mounts a claim's volume. */
  private void assertMountable(EdgeNode edge, String claimUid) throws Exception {
    Reply claim = claim(edge);
    assertThat(claim.code()).isEqualTo(200);
    assertThat(claim.body().at("/status/phase").asText()).isEqualTo("Bound");
    assertThat(claim.body().at("/spec/volumeName").asText()).isEqualTo("pv-data");
    Reply volume = volume(edge);
    assertThat(volume.code()).isEqualTo(200);
    assertThat(volume.body().at("/spec/claimRef/uid").asText()).isEqualTo(claimUid);
    assertThat(volume.body().at("/spec/local/path").asText()).isEqualTo("/mnt/disks/pv-data");
  }

  private boolean hasNode(EdgeNode edge) {
    var nodes = edge.view().types().byResource("", "v1", "nodes").orElseThrow();
    return edge.view().get(nodes, "", NODE).isPresent();
  }

  private Reply podStatus(EdgeNode edge, String uid, String phase) throws Exception {
    return call(
        edge,
        "PATCH",
        "/api/v1/namespaces/default/pods/web/status",
        STRATEGIC,
        "{\"metadata\":{\"uid\":\""
            + uid
            + "\"},\"status\":{\"phase\":\""
            + phase
            + "\",\"startTime\":\"2026-01-01T00:00:00Z\"}}"); // set by a kubelet's first status
  }

  private static V1.Event event(String name, String reason) {
    return V1.Event.newBuilder()
        .setMetadata(Meta.ObjectMeta.newBuilder().setName(name).setNamespace("default"))
        .setInvolvedObject(
            V1.ObjectReference.newBuilder()
                .setApiVersion("v1")
                .setKind("Pod")
                .setName("web")
                .setNamespace("default"))
        .setReason(reason)
        .setMessage("m")
        .setType("Normal")
        .setCount(1)
        .setSource(V1.EventSource.newBuilder().setComponent("kubelet").setHost(NODE))
        .setReportingComponent("kubelet")
        .setReportingInstance(NODE)
        .build();
  }

  private static String readyHeartbeat(ObjectNode node) {
    for (JsonNode condition : node.at("/status/conditions")) {
      if (condition.path("type").asText().equals("Ready")) {
        return condition.path("lastHeartbeatTime").asText();
      }
    }
    return "";
  }

  private static ObjectNode last(List<ObjectNode> versions) {
    return versions.get(versions.size() - 1);
  }

  /** Every upserted version in {@code kedge.resources}, by group/Kind/namespace/name, in order. */
  private static Map<String, List<ObjectNode>> resources(CloudEnvironment cloud) {
    Map<String, Object> props = new HashMap<>(cloud.kafka.clientConfig());
    props.put("isolation.level", "read_committed");
    props.put("enable.auto.commit", false);
    EventCodec codec = new EventCodec();
    Map<String, List<ObjectNode>> versions = new HashMap<>();
    try (var consumer =
        new org.apache.kafka.clients.consumer.KafkaConsumer<>(
            props,
            new org.apache.kafka.common.serialization.StringDeserializer(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      var partitions =
          consumer.partitionsFor(cloud.topics.resources().name()).stream()
              .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<org.apache.kafka.common.TopicPartition, Long> ends = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        for (var record : consumer.poll(Duration.ofMillis(500))) {
          if (record.value() != null
              && codec.decode(record.headers(), record.value()).data()
                  instanceof ResourceUpsert upsert) {
            ObjectKey key = upsert.key();
            versions
                .computeIfAbsent(
                    key.group() + "/" + key.kind() + "/" + key.namespace() + "/" + key.name(),
                    k -> new ArrayList<>())
                .add(upsert.object());
          }
        }
      }
    }
    return versions;
  }
}
