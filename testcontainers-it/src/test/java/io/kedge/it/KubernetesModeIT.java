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
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.objects.RuleManifests;
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
  private KubernetesClient cluster;
  private ScenarioKafka kafka;
  private KedgeTopics topics;
  private Path kubeconfig;

  @BeforeEach
  void start() throws Exception {
    apiServer =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
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
    kafka = ScenarioEnvironment.current().kafka(KafkaSpec.single(), Duration.ofSeconds(60));
    topics = new KedgeTopics(TestNames.unique("kube"), 1, Duration.ofDays(1));
  }

  @AfterEach
  void stop() {
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
      Awaitility.await("cluster objects on the edge")
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  edgeApi.pods().inNamespace(NS).withName("web").get() != null
                      && edgeApi.configMaps().inNamespace(NS).withName("cfg").get() != null
                      && edgeApi.services().inNamespace(NS).withName("svc").get() != null);

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
          .as("informer events dropped as already published: the node, cfg and web")
          .isEqualTo(3);
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
}
