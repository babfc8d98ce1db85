package io.kedge.edge.api.http;

import static io.kedge.edge.api.view.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.util.Config;
import io.kubernetes.client.util.PatchUtils;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official Kubernetes Java client ({@code io.kubernetes:client-java}) against the edge API: an
 * informer with a label selector sees pods enter and leave its selection through writes the client
 * makes, without re-listing; creates get the server's metadata.
 */
class OfficialJavaClientIT {
  private EdgeApiFixture edge;
  private ApiClient client;
  private CoreV1Api api;
  private SharedInformerFactory informers;

  @BeforeEach
  void start() throws Exception {
    edge = new EdgeApiFixture(Duration.ofSeconds(10));
    client = Config.fromUrl(edge.url());
    client.setHttpClient(
        client.getHttpClient().newBuilder().readTimeout(0, TimeUnit.SECONDS).build());
    api = new CoreV1Api(client);
    informers = new SharedInformerFactory(client);
  }

  @AfterEach
  void stop() {
    if (informers != null) {
      informers.stopAllRegisteredInformers();
    }
    if (edge != null) {
      edge.close();
    }
  }

  private void relabel(String name, String app) throws ApiException {
    PatchUtils.patch(
        V1Pod.class,
        () ->
            api.patchNamespacedPod(
                    name,
                    "default",
                    new V1Patch("{\"metadata\":{\"labels\":{\"app\":\"" + app + "\"}}}"))
                .buildCall(null),
        V1Patch.PATCH_FORMAT_STRATEGIC_MERGE_PATCH,
        client);
  }

  @Test
  void anInformerWithALabelSelectorFollowsPodsInAndOutOfItsSelection() throws Exception {
    edge.seed(
        pod("default", "web-0", "edge-1", "Running", "app", "web"),
        pod("default", "db-0", "edge-1", "Running", "app", "db"));

    List<String> seen = new CopyOnWriteArrayList<>();
    SharedIndexInformer<V1Pod> informer =
        informers.sharedIndexInformerFor(
            params ->
                api.listNamespacedPod("default")
                    .labelSelector("app=web")
                    .resourceVersion(params.resourceVersion)
                    .timeoutSeconds(params.timeoutSeconds)
                    .watch(params.watch)
                    .buildCall(null),
            V1Pod.class,
            V1PodList.class);
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(V1Pod pod) {
            seen.add("add " + pod.getMetadata().getName());
          }

          @Override
          public void onUpdate(V1Pod before, V1Pod after) {
            seen.add("update " + after.getMetadata().getName());
          }

          @Override
          public void onDelete(V1Pod pod, boolean finalStateUnknown) {
            seen.add(
                "delete " + pod.getMetadata().getName() + (finalStateUnknown ? " unknown" : ""));
          }
        });
    informers.startAllRegisteredInformers();
    Awaitility.await("informer synced").atMost(Duration.ofSeconds(20)).until(informer::hasSynced);
    long listsAfterSync = edge.server.stats().lists();
    assertThat(informer.getIndexer().listKeys()).containsExactly("default/web-0");

    relabel("web-0", "other");
    Awaitility.await("web-0 leaves the informer")
        .atMost(Duration.ofSeconds(20))
        .until(() -> informer.getIndexer().listKeys().isEmpty());
    relabel("db-0", "web");
    Awaitility.await("db-0 enters the informer")
        .atMost(Duration.ofSeconds(20))
        .until(() -> informer.getIndexer().listKeys().equals(List.of("default/db-0")));

    assertThat(seen).containsExactly("add web-0", "delete web-0", "add db-0");
    assertThat(edge.server.stats().lists()).as("no re-list").isEqualTo(listsAfterSync);
  }

  @Test
  void createsGetTheServersMetadataAndErrorsAreStatuses() throws Exception {
    V1ConfigMap created =
        api.createNamespacedConfigMap(
                "default",
                new V1ConfigMap()
                    .metadata(new V1ObjectMeta().generateName("cfg-"))
                    .data(Map.of("a", "1")))
            .execute();
    assertThat(created.getMetadata().getName()).startsWith("cfg-").hasSize(9);
    assertThat(created.getMetadata().getUid()).isNotEmpty();
    assertThat(created.getMetadata().getCreationTimestamp()).isNotNull();
    assertThat(created.getMetadata().getResourceVersion()).isNotEmpty();

    ApiException missing =
        org.junit.jupiter.api.Assertions.assertThrows(
            ApiException.class, () -> api.readNamespacedConfigMap("nope", "default").execute());
    assertThat(missing.getCode()).isEqualTo(404);
    assertThat(missing.getResponseBody()).contains("\"reason\":\"NotFound\"");
  }
}
