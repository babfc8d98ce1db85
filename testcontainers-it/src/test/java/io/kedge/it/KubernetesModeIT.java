package io.kedge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kedge.cloud.Cloud;
import io.kedge.cloud.CloudConfig;
import io.kedge.cloud.admission.WebhookConfig;
import io.kedge.cloud.kube.KubeKind;
import io.kedge.cloud.kube.KubernetesConfig;
import io.kedge.cloud.rules.RulesConfig;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.edge.relay.link.LinkState;
import io.kedge.it.env.KafkaSpec;
import io.kedge.it.env.ScenarioEnvironment;
import io.kedge.it.env.ScenarioKafka;
import io.kedge.kube.objects.RuleManifests;
import io.kedge.schemas.KedgeTopics;
import io.kedge.testkit.TestNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kubernetes mode end to end: a Kubernetes API server (fabric8's, in CRUD mode: list, watch,
 * resourceVersions, 409s), the cloud with its informer source and Kubernetes applier on a real
 * broker, and an edge node whose API a fabric8 client uses. Objects made in the cluster reach the
 * edge; edge writes are applied to the cluster and answered with its real result; a restarted cloud
 * publishes nothing again but what changed while it was away.
 */
class KubernetesModeIT {
  private static final String NODE = "edge-1";
  private static final String NS = "default";

  @TempDir Path tmp;
  private KubernetesMockServer apiServer;
  private final TokenIssuingDispatcher tokens = new TokenIssuingDispatcher();
  private KubernetesClient cluster;
  private ScenarioKafka kafka;
  private KedgeTopics topics;
  private Path kubeconfig;
  private io.kedge.testkit.TcpProxy link;

  @BeforeEach
  void start() throws Exception {
    apiServer =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), tokens, false);
    apiServer.init();
    cluster = apiServer.createClient();
    kubeconfig = tmp.resolve("kubeconfig");
    Files.writeString(
        kubeconfig,
        """
        apiVersion: v1
        kind: Config
        clusters: [{name: test, cluster: {server: "http://%s:%d"}}]
        users: [{name: kedge, user: {token: test-token}}]
        contexts: [{name: test, context: {cluster: test, user: kedge, namespace: default}}]
        current-context: test
        """
            .formatted(apiServer.getHostName(), apiServer.getPort()));
    int proxyPort = io.kedge.runtime.net.FreePorts.on("127.0.0.1");
    kafka =
        ScenarioEnvironment.current()
            .kafka(KafkaSpec.single().withEdgeListener(proxyPort), Duration.ofSeconds(60));
    String[] edgeListener = kafka.edgeListener().split(":");
    link =
        new io.kedge.testkit.TcpProxy(
            proxyPort, edgeListener[0], Integer.parseInt(edgeListener[1]));
    topics = new KedgeTopics(TestNames.unique("kube"), 1, Duration.ofDays(1));
  }

  @AfterEach
  void stop() {
    link.close();
    cluster.close();
    apiServer.destroy();
    kafka.close();
  }

  private CloudConfig cloudConfig() {
    return CloudConfig.embedded(
        kafka.bootstrapServers(), tmp.resolve("cloud"), topics.prefix(), Duration.ofDays(1));
  }

  private Cloud startCloud() throws InterruptedException {
    CloudConfig config = cloudConfig();
    KubernetesConfig kube =
        new KubernetesConfig(
            KubernetesConfig.Mode.KUBERNETES,
            kubeconfig.toString(),
            KubeKind.DEFAULTS,
            NS,
            topics.prefix() + "-source",
            Duration.ofSeconds(4),
            Duration.ofSeconds(10));
    Cloud cloud =
        Cloud.start(
            config,
            kube,
            WebhookConfig.disabled(),
            RulesConfig.defaults("127.0.0.1", 0),
            new SimpleMeterRegistry());
    Awaitility.await("cloud ready")
        .atMost(Duration.ofSeconds(90))
        .until(() -> cloud.unreadyReason() == null && cloud.kubernetesSource().synced());
    return cloud;
  }

  @Test
  void clusterObjectsReachTheEdgeAndEdgeWritesAreAppliedToTheCluster() throws Exception {
    cluster
        .nodes()
        .resource(new NodeBuilder().withNewMetadata().withName(NODE).endMetadata().build())
        .create();
    cluster
        .namespaces()
        .resource(
            new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata()
                .withName(NS)
                .endMetadata()
                .build())
        .create();
    cluster
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("cfg")
                .endMetadata()
                .addToData("k", "v")
                .build())
        .create();
    cluster.pods().inNamespace(NS).resource(pod("web")).create();
    // a pod mounting a claim the binder has bound to a local volume
    io.fabric8.kubernetes.api.model.PersistentVolumeClaim claim =
        cluster
            .persistentVolumeClaims()
            .inNamespace(NS)
            .resource(
                new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder()
                    .withNewMetadata()
                    .withName("data")
                    .withUid("claim-uid-1")
                    .endMetadata()
                    .withNewSpec()
                    .withVolumeName("pv-data")
                    .endSpec()
                    .withNewStatus()
                    .withPhase("Bound")
                    .endStatus()
                    .build())
            .create();
    cluster
        .persistentVolumes()
        .resource(
            new io.fabric8.kubernetes.api.model.PersistentVolumeBuilder()
                .withNewMetadata()
                .withName("pv-data")
                .endMetadata()
                .withNewSpec()
                .withNewLocal()
                .withPath("/mnt/disks/data")
                .endLocal()
                .withNewClaimRef()
                .withNamespace(NS)
                .withName("data")
                .withUid(claim.getMetadata().getUid())
                .endClaimRef()
                .endSpec()
                .build())
        .create();
    cluster
        .pods()
        .inNamespace(NS)
        .resource(
            new PodBuilder(pod("db"))
                .editSpec()
                .addNewVolume()
                .withName("data")
                .withNewPersistentVolumeClaim()
                .withClaimName("data")
                .endPersistentVolumeClaim()
                .endVolume()
                .endSpec()
                .build())
        .create();
    cluster
        .services()
        .inNamespace(NS)
        .resource(new ServiceBuilder().withNewMetadata().withName("svc").endMetadata().build())
        .create();

    Cloud cloud = startCloud();
    try (EdgeNode edge = EdgeNode.start(edgeConfig(), "test");
        KubernetesClient edgeApi = CloudEnvironment.edgeClient(edge)) {
      Awaitility.await("edge connected")
          .atMost(Duration.ofSeconds(60))
          .until(() -> edge.linkState() == LinkState.CONNECTED && edge.ready());
      Awaitility.await("KedgeLinkReady=True on the cluster's Node, from the node's heartbeats")
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  cluster.nodes().withName(NODE).get().getStatus() != null
                      && cluster.nodes().withName(NODE).get().getStatus().getConditions().stream()
                          .anyMatch(
                              c ->
                                  c.getType().equals("KedgeLinkReady")
                                      && c.getStatus().equals("True")));
      Awaitility.await("cluster objects on the edge")
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  edgeApi.pods().inNamespace(NS).withName("web").get() != null
                      && edgeApi.configMaps().inNamespace(NS).withName("cfg").get() != null
                      && edgeApi.services().inNamespace(NS).withName("svc").get() != null
                      && edgeApi.persistentVolumes().withName("pv-data").get() != null
                      && edgeApi.namespaces().withName(NS).get() != null);
      // what the kubelet checks before it mounts: the volume names the claim's uid
      assertThat(
              edgeApi
                  .persistentVolumes()
                  .withName("pv-data")
                  .get()
                  .getSpec()
                  .getClaimRef()
                  .getUid())
          .isEqualTo(
              edgeApi
                  .persistentVolumeClaims()
                  .inNamespace(NS)
                  .withName("data")
                  .get()
                  .getMetadata()
                  .getUid());

      // a label set on the edge is applied to the cluster; the edge client reads its own write
      Pod labelled =
          edgeApi
              .pods()
              .inNamespace(NS)
              .withName("web")
              .edit(
                  p ->
                      new PodBuilder(p)
                          .editMetadata()
                          .addToLabels("tier", "front")
                          .endMetadata()
                          .build());
      assertThat(labelled.getMetadata().getLabels()).containsEntry("tier", "front");
      assertThat(cluster.pods().inNamespace(NS).withName("web").get().getMetadata().getLabels())
          .containsEntry("tier", "front");
      assertThat(
              edgeApi
                  .pods()
                  .inNamespace(NS)
                  .withName("web")
                  .get()
                  .getMetadata()
                  .getResourceVersion())
          .as("the answer carries the edge's version of the routed object")
          .isEqualTo(labelled.getMetadata().getResourceVersion());

      // the cluster's own answers: an existing name is 409, a stale version 409
      assertThatThrownBy(() -> edgeApi.pods().inNamespace(NS).resource(pod("web")).create())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));

      // an edge pod created on the edge API lands in the cluster and comes back to the node
      edgeApi.pods().inNamespace(NS).resource(pod("made-on-edge")).create();
      assertThat(cluster.pods().inNamespace(NS).withName("made-on-edge").get()).isNotNull();

      // a ConfigMap no pod uses, created on the edge API, comes back to the node that wrote it
      edgeApi
          .configMaps()
          .inNamespace(NS)
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName("written-on-edge")
                  .endMetadata()
                  .addToData("k", "v")
                  .build())
          .create();
      assertThat(cluster.configMaps().inNamespace(NS).withName("written-on-edge").get())
          .isNotNull();
      assertThat(edgeApi.configMaps().inNamespace(NS).withName("written-on-edge").get())
          .as("read back at once: routed before the write was answered")
          .isNotNull();

      // a status write (edge-owned) reaches the cluster's status
      edgeApi
          .pods()
          .inNamespace(NS)
          .withName("web")
          .editStatus(
              p -> new PodBuilder(p).editOrNewStatus().withPhase("Running").endStatus().build());
      Awaitility.await("status in the cluster")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  "Running"
                      .equals(
                          cluster
                              .pods()
                              .inNamespace(NS)
                              .withName("web")
                              .get()
                              .getStatus()
                              .getPhase()));

      // a delete on the edge deletes in the cluster and the pod leaves the node
      edgeApi.pods().inNamespace(NS).withName("made-on-edge").delete();
      Awaitility.await("deleted in the cluster and on the edge")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  cluster.pods().inNamespace(NS).withName("made-on-edge").get() == null
                      && edgeApi.pods().inNamespace(NS).withName("made-on-edge").get() == null);

      // a restart publishes only what changed while the cloud was away
      cloud.close();
      long before = resourcesEnd();
      cluster.services().inNamespace(NS).withName("svc").delete();
      cloud = startCloud();
      Awaitility.await("the service deleted while the cloud was away leaves the edge")
          .atMost(Duration.ofSeconds(60))
          .until(() -> edgeApi.services().inNamespace(NS).withName("svc").get() == null);
      assertThat(resourcesEnd() - before)
          .as("records published on restart: the delete of svc only, nothing listed again")
          .isEqualTo(1);
      assertThat(cloud.kubernetesSource().unchanged())
          .as(
              "informer events dropped as already published: the node, its namespace, cfg, web,"
                  + " db, data, pv-data, written-on-edge")
          .isEqualTo(8);
      assertThat(names(edgeApi)).contains("web").doesNotContain("made-on-edge");
    } finally {
      cloud.close();
    }
  }

  @Test
  void ruleStatusesAreWrittenToTheRulesInTheCluster() throws Exception {
    ResourceDefinitionContext rules =
        new ResourceDefinitionContext.Builder()
            .withGroup("rules.kubeedge.io")
            .withVersion("v1")
            .withKind("Rule")
            .withPlural("rules")
            .withNamespaced(true)
            .build();
    ObjectNode rule =
        RuleManifests.rule(
            NS,
            "broken",
            "no-such-endpoint",
            Map.of("path", "/a"),
            "nor-this",
            Map.of("topic", "t"));
    cluster
        .genericKubernetesResources(rules)
        .inNamespace(NS)
        .resource(
            cluster
                .getKubernetesSerialization()
                .unmarshal(rule.toString(), GenericKubernetesResource.class))
        .create();
    Cloud cloud = startCloud();
    try {
      Awaitility.await("the rule's errors in its status in the cluster")
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                GenericKubernetesResource stored =
                    cluster
                        .genericKubernetesResources(rules)
                        .inNamespace(NS)
                        .withName("broken")
                        .get();
                Object status = stored.getAdditionalProperties().get("status");
                return status != null && status.toString().contains("no-such-endpoint");
              });
    } finally {
      cloud.close();
    }
  }

  @Test
  void aKindTheClusterDoesNotServeIsAConfigErrorNamingIt() {
    KubernetesConfig kube =
        new KubernetesConfig(
            KubernetesConfig.Mode.KUBERNETES,
            kubeconfig.toString(),
            List.of("v1/Pod", "example.com/v1/Widget", "Pod"),
            NS,
            "x",
            Duration.ofSeconds(4),
            Duration.ofSeconds(10));
    CloudConfig config = cloudConfig();
    assertThatThrownBy(
            () ->
                Cloud.start(
                    config,
                    kube,
                    WebhookConfig.disabled(),
                    RulesConfig.defaults("127.0.0.1", 0),
                    new SimpleMeterRegistry()))
        .hasMessageContaining("kubernetes.resources = 'example.com/v1/Widget'")
        .hasMessageContaining("must be a kind the Kubernetes API serves")
        .hasMessageContaining("kubernetes.resources = 'Pod'")
        .hasMessageContaining("must be apiVersion/Kind");
  }

  private static List<String> names(KubernetesClient edgeApi) {
    return edgeApi.pods().inNamespace(NS).list().getItems().stream()
        .map(p -> p.getMetadata().getName())
        .toList();
  }

  private long resourcesEnd() throws Exception {
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      TopicPartition tp = new TopicPartition(topics.resources().name(), 0);
      return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
    }
  }

  private static Pod pod(String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .endMetadata()
        .withNewSpec()
        .withNodeName(NODE)
        .addNewContainer()
        .withName("app")
        .withImage("nginx")
        .addNewEnv()
        .withName("K")
        .withNewValueFrom()
        .withNewConfigMapKeyRef("k", "cfg", false)
        .endValueFrom()
        .endEnv()
        .endContainer()
        .endSpec()
        .build();
  }

  private io.kedge.edge.relay.EdgeConfig edgeConfig() {
    return CloudEnvironment.edgeConfig(
        NODE, kafka.bootstrapServers(), topics.prefix(), tmp.resolve("edge"), Map.of());
  }

  /**
   * The CRUD API server plus kube-apiserver's TokenRequest: a token for a ServiceAccount that
   * exists, 404 for one that does not.
   */
  static final class TokenIssuingDispatcher extends KubernetesCrudDispatcher {
    final List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public MockResponse handleCreate(RecordedRequest request) {
      String path = request.getPath().split("\\?")[0];
      if (!path.matches("/api/v1/namespaces/[^/]+/serviceaccounts/[^/]+/token")) {
        return super.handleCreate(request);
      }
      requests.add(path);
      String account = path.substring(0, path.length() - "/token".length());
      if (!handleGet(account).getStatus().contains(" 200")) {
        return new MockResponse()
            .setResponseCode(404)
            .setBody(
                io.kedge.kube.objects.KubeStatus.failure(
                        404, "NotFound", "serviceaccounts \"" + account + "\" not found")
                    .toString());
      }
      try {
        ObjectNode review =
            (ObjectNode) io.kedge.schemas.EventCodec.json().readTree(request.getUtf8Body());
        long seconds = review.path("spec").path("expirationSeconds").asLong(3600);
        review
            .putObject("status")
            .put("token", "issued-" + java.util.UUID.randomUUID())
            .put("expirationTimestamp", java.time.Instant.now().plusSeconds(seconds).toString());
        return new MockResponse().setResponseCode(201).setBody(review.toString());
      } catch (java.io.IOException e) {
        return new MockResponse().setResponseCode(400).setBody(e.toString());
      }
    }
  }

  /**
   * A kubelet's token requests for its pods' service accounts: the edge API forwards them, the
   * cluster issues the token, and its answer comes back to the edge client as it was (never stored
   * on the node as an object). Offline they are refused at once: only the cloud issues tokens.
   */
  @Test
  void serviceAccountTokensAreIssuedByTheClusterAndRefusedOffline() throws Exception {
    cluster
        .nodes()
        .resource(new NodeBuilder().withNewMetadata().withName(NODE).endMetadata().build())
        .create();
    cluster
        .serviceAccounts()
        .inNamespace(NS)
        .resource(
            new io.fabric8.kubernetes.api.model.ServiceAccountBuilder()
                .withNewMetadata()
                .withName("app")
                .endMetadata()
                .build())
        .create();
    try (Cloud cloud = startCloud();
        EdgeNode edge =
            EdgeNode.start(
                CloudEnvironment.edgeConfig(
                    NODE, link.address(), topics.prefix(), tmp.resolve("edge-tokens"), Map.of()),
                "test");
        KubernetesClient edgeApi = CloudEnvironment.edgeClient(edge)) {
      Awaitility.await("edge connected")
          .atMost(Duration.ofSeconds(60))
          .until(() -> edge.linkState() == LinkState.CONNECTED && edge.ready());
      io.fabric8.kubernetes.api.model.authentication.TokenRequest request =
          new io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder()
              .withNewSpec()
              .withAudiences("https://kubernetes.default.svc")
              .withExpirationSeconds(3607L)
              .withNewBoundObjectRef()
              .withApiVersion("v1")
              .withKind("Pod")
              .withName("web")
              .withUid("4d1b4f2e-0000-4000-8000-000000000001")
              .endBoundObjectRef()
              .endSpec()
              .build();
      io.fabric8.kubernetes.api.model.authentication.TokenRequest issued =
          edgeApi.serviceAccounts().inNamespace(NS).withName("app").tokenRequest(request);
      assertThat(issued.getStatus().getToken()).startsWith("issued-");
      assertThat(issued.getSpec().getBoundObjectRef().getName()).isEqualTo("web");
      assertThat(tokens.requests)
          .containsExactly("/api/v1/namespaces/default/serviceaccounts/app/token");
      assertThat(edgeApi.serviceAccounts().inNamespace(NS).list().getItems())
          .as("a token answer is not an object of the node")
          .isEmpty();

      assertThatThrownBy(
              () ->
                  edgeApi
                      .serviceAccounts()
                      .inNamespace(NS)
                      .withName("nobody")
                      .tokenRequest(request))
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));

      link.cut();
      Awaitility.await("link down")
          .atMost(Duration.ofSeconds(60))
          .until(() -> edge.linkState() == LinkState.DISCONNECTED);
      assertThatThrownBy(
              () -> edgeApi.serviceAccounts().inNamespace(NS).withName("app").tokenRequest(request))
          .isInstanceOfSatisfying(
              KubernetesClientException.class,
              e -> {
                assertThat(e.getCode()).isEqualTo(503);
                assertThat(e.getMessage()).contains("serviceaccounts/token requests are answered");
              });
      assertThat(tokens.requests).hasSize(2);
    }
  }

  /**
   * The chain that keeps an autonomous pod: the node registers itself in the cluster and renews its
   * Lease through the edge API; with the link cut its renewals stop reaching the cluster (so the
   * node lifecycle controller marks it unreachable) while the edge keeps accepting them; the
   * webhook's tolerations keep the labelled pod from the taint manager, the unlabelled one is
   * evicted after kube-apiserver's default 300 s; back online the queued renewals arrive. No
   * kube-controller-manager runs here: its two rules are played on the cluster's objects.
   */
  @Test
  void offlineNodeGoesUnreachableAndOnlyAutonomousPodsStay() throws Exception {
    String node = "registered-1";
    try (Cloud cloud = startCloud();
        EdgeNode edge =
            EdgeNode.start(
                CloudEnvironment.edgeConfig(
                    node,
                    link.address(),
                    topics.prefix(),
                    tmp.resolve("edge-registered"),
                    Map.of("edge.register-node", true)),
                "test");
        KubernetesClient edgeApi = CloudEnvironment.edgeClient(edge)) {
      Awaitility.await("the node registered itself in the cluster and connected")
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  cluster.nodes().withName(node).get() != null
                      && edge.linkState() == LinkState.CONNECTED);
      assertThat(cluster.nodes().withName(node).get().getMetadata().getLabels())
          .containsKey("node-role.kubernetes.io/edge");

      // pods as kube-apiserver admits them: kedge's webhook, then DefaultTolerationSeconds
      Pod autonomous = admitted(podOn("autonomous", node, true));
      Pod plain = admitted(podOn("plain", node, false));
      cluster.pods().inNamespace(NS).resource(autonomous).create();
      cluster.pods().inNamespace(NS).resource(plain).create();

      io.fabric8.kubernetes.api.model.coordination.v1.Lease lease =
          edgeApi
              .leases()
              .inNamespace("kube-node-lease")
              .resource(
                  new io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder()
                      .withNewMetadata()
                      .withName(node)
                      .withNamespace("kube-node-lease")
                      .endMetadata()
                      .withNewSpec()
                      .withHolderIdentity(node)
                      .withLeaseDurationSeconds(40)
                      .withRenewTime(java.time.ZonedDateTime.parse("2026-12-01T00:00:00.000000Z"))
                      .endSpec()
                      .build())
              .create();
      java.time.ZonedDateTime onlineRenew = java.time.ZonedDateTime.parse("2026-12-01T00:00:10Z");
      lease.getSpec().setRenewTime(onlineRenew);
      lease = edgeApi.leases().inNamespace("kube-node-lease").resource(lease).update();
      Awaitility.await("the renewal reached the cluster")
          .atMost(Duration.ofSeconds(30))
          .until(() -> renewTime(node).equals(onlineRenew.toInstant()));

      link.cut();
      Awaitility.await("link down")
          .atMost(Duration.ofSeconds(60))
          .until(() -> edge.linkState() == LinkState.DISCONNECTED);
      java.time.ZonedDateTime offlineRenew = onlineRenew;
      for (int i = 1; i <= 3; i++) {
        offlineRenew = onlineRenew.plusSeconds(10L * i);
        lease.getSpec().setRenewTime(offlineRenew);
        lease = edgeApi.leases().inNamespace("kube-node-lease").resource(lease).update();
      }
      assertThat(lease.getSpec().getRenewTime().toInstant())
          .as("the edge accepted the renewals offline")
          .isEqualTo(offlineRenew.toInstant());
      assertThat(renewTime(node)).as("none reached the cluster").isEqualTo(onlineRenew.toInstant());

      // the node lifecycle controller: no renewal for leaseDurationSeconds (40 s) -> unreachable
      java.time.Instant now = onlineRenew.toInstant().plusSeconds(41);
      assertThat(now).isAfter(renewTime(node).plusSeconds(40));
      // the taint manager: evicted when the shortest matching toleration runs out
      assertThat(evictionAfter(cluster.pods().inNamespace(NS).withName("autonomous").get()))
          .as("the webhook's toleration keeps the autonomous pod")
          .isEmpty();
      assertThat(evictionAfter(cluster.pods().inNamespace(NS).withName("plain").get()))
          .contains(Duration.ofSeconds(300));

      link.restore();
      java.time.Instant latest = offlineRenew.toInstant();
      Awaitility.await("the queued renewals reach the cluster once the link is back")
          .atMost(Duration.ofSeconds(90))
          .until(() -> renewTime(node).equals(latest));
    }
  }

  private java.time.Instant renewTime(String node) {
    var lease = cluster.leases().inNamespace("kube-node-lease").withName(node).get();
    return lease == null || lease.getSpec().getRenewTime() == null
        ? java.time.Instant.EPOCH
        : lease.getSpec().getRenewTime().toInstant();
  }

  private static Pod podOn(String name, String node, boolean autonomous) {
    PodBuilder pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(NS)
            .endMetadata()
            .withNewSpec()
            .withNodeName(node)
            .addNewContainer()
            .withName("app")
            .withImage("nginx")
            .endContainer()
            .endSpec();
    if (autonomous) {
      pod.editMetadata()
          .addToLabels(
              io.kedge.kube.objects.OfflineAutonomy.LABEL,
              io.kedge.kube.objects.OfflineAutonomy.VALUE)
          .endMetadata();
    }
    return pod.build();
  }

  /** What kube-apiserver stores on create: kedge's webhook patch, then DefaultTolerationSeconds. */
  private static Pod admitted(Pod pod) throws Exception {
    var json = io.kedge.schemas.EventCodec.json();
    ObjectNode review = json.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    ObjectNode request = review.putObject("request").put("uid", "u-" + pod.getMetadata().getName());
    request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
    request.put("operation", "CREATE");
    ObjectNode object = json.valueToTree(pod);
    object.put("apiVersion", "v1").put("kind", "Pod");
    request.set("object", object);
    var answer =
        new io.kedge.cloud.admission.OfflineMigrationReview(
                new io.kedge.kube.objects.OfflineAutonomy(false))
            .answer(review);
    com.fasterxml.jackson.databind.JsonNode admittedPod = object;
    String patch = answer.at("/response/patch").asText("");
    if (!patch.isEmpty()) {
      admittedPod =
          com.flipkart.zjsonpatch.JsonPatch.apply(
              json.readTree(java.util.Base64.getDecoder().decode(patch)), object);
    }
    ObjectNode withDefaults = (ObjectNode) admittedPod;
    var tolerations = withDefaults.withObject("spec").withArray("tolerations");
    for (String key : List.of("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")) {
      boolean present = false;
      for (var t : tolerations) {
        present |= key.equals(t.path("key").asText());
      }
      if (!present) {
        tolerations
            .addObject()
            .put("key", key)
            .put("operator", "Exists")
            .put("effect", "NoExecute")
            .put("tolerationSeconds", 300);
      }
    }
    return json.treeToValue(withDefaults, Pod.class);
  }

  /**
   * The taint manager's rule for the {@code node.kubernetes.io/unreachable:NoExecute} taint: no
   * matching toleration, evicted at once; else after the shortest {@code tolerationSeconds} among
   * the matching ones (0 or less: at once); never when none of them sets it.
   */
  private static java.util.Optional<Duration> evictionAfter(Pod pod) {
    long shortest = Long.MAX_VALUE;
    boolean tolerated = false;
    for (var toleration : pod.getSpec().getTolerations()) {
      boolean keyMatches =
          toleration.getKey() == null || toleration.getKey().isEmpty()
              ? "Exists".equals(toleration.getOperator())
              : toleration.getKey().equals("node.kubernetes.io/unreachable");
      boolean effectMatches =
          toleration.getEffect() == null
              || toleration.getEffect().isEmpty()
              || toleration.getEffect().equals("NoExecute");
      if (!keyMatches || !effectMatches) {
        continue;
      }
      tolerated = true;
      if (toleration.getTolerationSeconds() != null) {
        shortest = Math.min(shortest, Math.max(0, toleration.getTolerationSeconds()));
      }
    }
    if (!tolerated) {
      return java.util.Optional.of(Duration.ZERO);
    }
    return shortest == Long.MAX_VALUE
        ? java.util.Optional.empty()
        : java.util.Optional.of(Duration.ofSeconds(shortest));
  }
}
