package io.kedge.edge.api.http;

import static io.kedge.edge.api.view.TestObjects.delete;
import static io.kedge.edge.api.view.TestObjects.pod;
import static io.kedge.edge.api.view.TestObjects.upsert;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kedge.schemas.EventCodec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real fabric8 client against the edge API: list, get, watch, informers, CRDs and writes. */
class Fabric8ClientIT {
  private EdgeApiFixture edge;
  private KubernetesClient client;

  @BeforeEach
  void start() throws Exception {
    edge = new EdgeApiFixture(Duration.ofSeconds(5));
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(edge.url())
            .withRequestTimeout(10_000)
            .withConnectionTimeout(5_000)
            .build();
    client = new KubernetesClientBuilder().withConfig(config).build();
    edge.append(upsert(pod("default", "web-0", "edge-1", "Running", "app", "web"), "1"));
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    edge.close();
  }

  @Test
  void listGetAndSelectors() {
    edge.append(upsert(pod("default", "db-0", "edge-1", "Pending", "app", "db"), "2"));
    assertThat(client.pods().inNamespace("default").list().getItems())
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("db-0", "web-0");
    assertThat(client.pods().inNamespace("default").withLabel("app", "db").list().getItems())
        .hasSize(1);
    Pod web = client.pods().inNamespace("default").withName("web-0").get();
    assertThat(web.getSpec().getNodeName()).isEqualTo("edge-1");
    assertThat(client.pods().inNamespace("default").withName("missing").get()).isNull();
  }

  @Test
  void watchFromAListedResourceVersionSeesLaterChanges() {
    String rv = client.pods().inNamespace("default").list().getMetadata().getResourceVersion();
    List<String> events = new CopyOnWriteArrayList<>();
    try (Watch watch =
        client
            .pods()
            .inNamespace("default")
            .withResourceVersion(rv)
            .watch(
                new Watcher<Pod>() {
                  @Override
                  public void eventReceived(Action action, Pod pod) {
                    events.add(action + " " + pod.getMetadata().getName());
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                })) {
      edge.append(upsert(pod("default", "late", "edge-1", "Running"), "3"));
      edge.append(delete(pod("default", "web-0", "edge-1", "Running")));
      Awaitility.await("watch events")
          .atMost(Duration.ofSeconds(20))
          .until(() -> events.size() >= 2);
      assertThat(events).containsExactly("ADDED late", "DELETED web-0");
    }
  }

  @Test
  void informerSeesExactlyOneHundredChangesWithoutRelisting() {
    AtomicInteger adds = new AtomicInteger();
    AtomicInteger updates = new AtomicInteger();
    AtomicInteger deletes = new AtomicInteger();
    SharedIndexInformer<Pod> informer =
        client
            .pods()
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    adds.incrementAndGet();
                  }

                  @Override
                  public void onUpdate(Pod before, Pod after) {
                    if (!before
                        .getMetadata()
                        .getResourceVersion()
                        .equals(after.getMetadata().getResourceVersion())) {
                      updates.incrementAndGet();
                    }
                  }

                  @Override
                  public void onDelete(Pod pod, boolean unknownFinalState) {
                    deletes.incrementAndGet();
                  }
                },
                1_000);
    try {
      Awaitility.await("informer synced").atMost(Duration.ofSeconds(20)).until(informer::hasSynced);
      assertThat(adds).hasValue(1);
      long listsAfterSync = edge.server.stats().lists();
      long watchesAfterSync = edge.server.stats().watches();

      for (int i = 0; i < 40; i++) {
        edge.append(upsert(pod("default", "p" + i, "edge-1", "Pending"), "a" + i));
      }
      for (int i = 0; i < 40; i++) {
        edge.append(upsert(pod("default", "p" + i, "edge-1", "Running"), "b" + i));
      }
      for (int i = 0; i < 20; i++) {
        edge.append(delete(pod("default", "p" + i, "edge-1", "Running")));
      }

      Awaitility.await("100 changes")
          .atMost(Duration.ofSeconds(30))
          .until(() -> adds.get() + updates.get() + deletes.get() >= 101);
      assertThat(adds).hasValue(41);
      assertThat(updates).hasValue(40);
      assertThat(deletes).hasValue(20);
      assertThat(informer.getStore().list()).hasSize(21);
      assertThat(edge.server.stats().lists()).as("no re-list").isEqualTo(listsAfterSync);
      assertThat(edge.server.stats().watches())
          .as("the watch never reconnected")
          .isEqualTo(watchesAfterSync);
    } finally {
      informer.close();
    }
  }

  @Test
  void customResourcesThroughGenericResources() {
    ObjectNode device = EventCodec.json().createObjectNode();
    device.put("apiVersion", "devices.kubeedge.io/v1alpha2").put("kind", "Device");
    device.putObject("metadata").put("name", "thermo-1").put("namespace", "default");
    device.putObject("spec").putObject("deviceModelRef").put("name", "thermometer");
    edge.append(io.kedge.edge.api.view.TestObjects.upsert(device, "1"));
    List<GenericKubernetesResource> devices =
        client
            .genericKubernetesResources("devices.kubeedge.io/v1alpha2", "Device")
            .inNamespace("default")
            .list()
            .getItems();
    assertThat(devices).extracting(d -> d.getMetadata().getName()).containsExactly("thermo-1");
  }

  @Test
  void createEditPatchAndDeleteThroughTheCloud() {
    ConfigMap created =
        client
            .configMaps()
            .inNamespace("default")
            .resource(
                new ConfigMapBuilder()
                    .withNewMetadata()
                    .withName("settings")
                    .endMetadata()
                    .addToData("mode", "a")
                    .build())
            .create();
    assertThat(created.getMetadata().getUid()).isNotEmpty();
    ConfigMap edited =
        client
            .configMaps()
            .inNamespace("default")
            .withName("settings")
            .edit(cm -> new ConfigMapBuilder(cm).addToData("mode", "b").build());
    assertThat(edited.getData()).containsEntry("mode", "b");
    assertThat(Long.parseLong(edited.getMetadata().getResourceVersion()))
        .isGreaterThan(Long.parseLong(created.getMetadata().getResourceVersion()));
    ConfigMap patched =
        client
            .configMaps()
            .inNamespace("default")
            .withName("settings")
            .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"data\":{\"extra\":\"1\"}}");
    assertThat(patched.getData()).containsEntry("extra", "1").containsEntry("mode", "b");
    assertThat(client.configMaps().inNamespace("default").withName("settings").delete()).hasSize(1);
    assertThat(client.configMaps().inNamespace("default").withName("settings").get()).isNull();

    KubernetesClientException missing =
        org.junit.jupiter.api.Assertions.assertThrows(
            KubernetesClientException.class,
            () ->
                client
                    .configMaps()
                    .inNamespace("default")
                    .withName("ghost")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{}"));
    assertThat(missing.getCode()).isEqualTo(404);
  }

  @Test
  void serverSideApplyWithFieldManagerAndForce() {
    ConfigMap desired =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName("ssa")
            .withNamespace("default")
            .endMetadata()
            .addToData("owner", "operator-a")
            .build();
    ConfigMap applied =
        client.configMaps().resource(desired).fieldManager("operator-a").serverSideApply();
    assertThat(applied.getData()).containsEntry("owner", "operator-a");
    assertThat(applied.getMetadata().getManagedFields())
        .extracting(f -> f.getManager() + "/" + f.getOperation())
        .containsExactly("operator-a/Apply");

    ConfigMap rival =
        new ConfigMapBuilder(desired).withData(java.util.Map.of("owner", "operator-b")).build();
    var conflict =
        org.junit.jupiter.api.Assertions.assertThrows(
            io.fabric8.kubernetes.client.KubernetesClientException.class,
            () -> client.configMaps().resource(rival).fieldManager("operator-b").serverSideApply());
    assertThat(conflict.getCode()).isEqualTo(409);
    assertThat(conflict.getStatus().getMessage()).contains("conflict with \"operator-a\"");

    ConfigMap taken =
        client
            .configMaps()
            .resource(rival)
            .fieldManager("operator-b")
            .forceConflicts()
            .serverSideApply();
    assertThat(taken.getData()).containsEntry("owner", "operator-b");
  }
}
