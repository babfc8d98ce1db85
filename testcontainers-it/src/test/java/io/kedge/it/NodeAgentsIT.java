package io.kedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.edge.relay.link.LinkState;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceUpsert;
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
 * manager), sent as JSON. After reconnecting, the cloud holds exactly the latest Lease, Node status
 * and pod status: nothing lost, nothing applied twice.
 */
class NodeAgentsIT {
  private static final String NODE = "agent-1";
  private static final String STRATEGIC = "application/strategic-merge-patch+json";
  private static final String JSON = "application/json";
  private static final String MERGE = "application/merge-patch+json";
  private static final long OFFLINE_SECONDS = Long.getLong("kedge.it.agents.offline-seconds", 0);
  private final HttpClient http = HttpClient.newHttpClient();

  record Reply(int code, JsonNode body) {}

  private Reply call(EdgeNode edge, String method, String path, String type, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.apiPort() + path))
            .header("User-Agent", "kubelet/v1.35.0 (linux/amd64) kubernetes/abcdef")
            .timeout(Duration.ofSeconds(30));
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (type != null) {
      request.header("Content-Type", type);
    }
    HttpResponse<byte[]> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    return new Reply(response.statusCode(), EventCodec.readJson(response.body()));
  }

  private static String nodeJson() {
    return "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\""
        + NODE
        + "\",\"labels\":{\"kubernetes.io/hostname\":\""
        + NODE
        + "\",\"kubernetes.io/os\":\"linux\"}},\"spec\":{}}";
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
          ObjectNode fresh = EventCodec.json().createObjectNode();
          fresh.put("apiVersion", "coordination.k8s.io/v1").put("kind", "Lease");
          fresh.putObject("metadata").put("name", NODE).put("namespace", "kube-node-lease");
          fresh.putObject("spec").put("holderIdentity", NODE).put("leaseDurationSeconds", 40);
          Reply created =
              call(
                  edge,
                  "POST",
                  "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
                  JSON,
                  fresh.toString());
          assertThat(created.code()).as(created.body().toString()).isEqualTo(201);
          got = created;
        }
        assertThat(got.code()).as(got.body().toString()).isIn(200, 201);
        lease = (ObjectNode) got.body();
      }
      ObjectNode next = lease.deepCopy();
      next.withObject("spec").put("renewTime", microTime(renewals));
      Reply put = call(edge, "PUT", path + NODE, JSON, next.toString());
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
        Reply create = call(edge, "POST", "/api/v1/nodes", JSON, nodeJson());
        assertThat(create.code()).as(create.body().toString()).isEqualTo(409);
        assertThat(create.body().path("reason").asText()).isEqualTo("AlreadyExists");
        Reply node = call(edge, "GET", "/api/v1/nodes/" + NODE, null, null);
        assertThat(node.code()).isEqualTo(200);
        assertThat(node.body().at("/metadata/labels/node-role.kubernetes.io~1edge").isTextual())
            .isTrue();
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
        assertThat(uid).isNotEmpty();
        assertThat(podStatus(edge, uid, "Pending").code()).isEqualTo(200);
        Reply event =
            call(
                edge,
                "POST",
                "/api/v1/namespaces/default/events",
                JSON,
                eventJson("web.scheduled", "Scheduled"));
        assertThat(event.code()).as(event.body().toString()).isEqualTo(201);

        // kube-proxy: services and endpoint slices with its label selector, its node by name
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
            call(
                edge,
                "POST",
                "/apis/storage.k8s.io/v1/csinodes",
                JSON,
                "{\"apiVersion\":\"storage.k8s.io/v1\",\"kind\":\"CSINode\",\"metadata\":{\"name\":\""
                    + NODE
                    + "\"},\"spec\":{\"drivers\":[]}}");
        assertThat(csi.code()).as(csi.body().toString()).isEqualTo(201);
        ObjectNode withDriver = ((ObjectNode) csi.body()).deepCopy();
        withDriver
            .withObject("spec")
            .putArray("drivers")
            .addObject()
            .put("name", "hostpath.csi.k8s.io")
            .put("nodeID", NODE);
        assertThat(
                call(
                        edge,
                        "PUT",
                        "/apis/storage.k8s.io/v1/csinodes/" + NODE,
                        JSON,
                        withDriver.toString())
                    .code())
            .isEqualTo(200);
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
                call(
                        edge,
                        "POST",
                        "/api/v1/namespaces/default/events",
                        JSON,
                        eventJson("web.started", "Started"))
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
        assertThat(phases)
            .as("pod statuses once each, in order")
            .containsSubsequence("Pending", "Running", "Succeeded");
        assertThat(phases.stream().filter(p -> p.equals("Running")).count()).isEqualTo(1);
        assertThat(
                last(stored.get("storage.k8s.io/CSINode//" + NODE))
                    .at("/spec/drivers/0/name")
                    .asText())
            .isEqualTo("hostpath.csi.k8s.io");
        assertThat(stored.keySet().stream().filter(k -> k.startsWith("/Event/default/")).toList())
            .containsExactlyInAnyOrder(
                "/Event/default/web.scheduled", "/Event/default/web.started");
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
      }
    }
  }

  /** What a kubelet does every 10 s: renew its Lease, and patch its Node's status. */
  private void heartbeat(EdgeNode edge, LeaseController leases, Instant at) throws Exception {
    leases.renew(edge);
    Reply status =
        call(edge, "PATCH", "/api/v1/nodes/" + NODE + "/status", STRATEGIC, nodeStatusPatch(at));
    assertThat(status.code()).as(status.body().toString()).isEqualTo(200);
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
        "{\"metadata\":{\"uid\":\"" + uid + "\"},\"status\":{\"phase\":\"" + phase + "\"}}");
  }

  private static String eventJson(String name, String reason) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"metadata\":{\"name\":\""
        + name
        + "\",\"namespace\":\"default\"},\"involvedObject\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\","
        + "\"name\":\"web\",\"namespace\":\"default\"},\"reason\":\""
        + reason
        + "\",\"message\":\"m\",\"type\":\"Normal\",\"count\":1,\"source\":{\"component\":\"kubelet\","
        + "\"host\":\""
        + NODE
        + "\"},\"reportingComponent\":\"kubelet\",\"reportingInstance\":\""
        + NODE
        + "\"}";
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
