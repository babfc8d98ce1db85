package io.kedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.edge.relay.link.LinkState;
import io.kedge.testkit.TcpProxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Scenario (c): a fabric8 informer runs on the edge API; the cloud link is cut; 100 changes are
 * made in the cloud; the link comes back. The informer sees exactly those changes, without a
 * re-list and without its watch ever closing (asserted on the edge API's request counts).
 */
class InformerLinkCutIT {
  private static final String NODE = "edge-1";
  private static final int CREATES = 40;
  private static final int UPDATES = 40;
  private static final int DELETES = 20;

  @ParameterizedTest
  @EnumSource(TcpProxy.Failure.class)
  void anInformerSeesExactlyTheChangesMadeWhileTheLinkWasDownWithoutRelisting(
      TcpProxy.Failure failure, @TempDir Path tmp) throws Exception {
    long started = System.nanoTime();
    try (CloudEnvironment cloud = new CloudEnvironment("informer", tmp)) {
      cloud.apply(CloudEnvironment.node(NODE));
      for (int i = 0; i < UPDATES + DELETES; i++) {
        cloud.apply(CloudEnvironment.pod("old-" + i, NODE));
      }
      try (EdgeNode edge = EdgeNode.start(cloud.edgeConfig(NODE, tmp.resolve("edge")), "test")) {
        Awaitility.await("edge connected and holding the pods")
            .atMost(Duration.ofSeconds(90))
            .until(() -> edge.linkState() == LinkState.CONNECTED && edge.view().size() >= 60);
        List<String> events = new CopyOnWriteArrayList<>();
        try (KubernetesClient client =
            new KubernetesClientBuilder()
                .withConfig(
                    new ConfigBuilder().withMasterUrl("http://127.0.0.1:" + edge.apiPort()).build())
                .build()) {
          SharedIndexInformer<Pod> informer =
              client.pods().inNamespace("default").inform(recorder(events), 1_000);
          Awaitility.await("informer synced")
              .atMost(Duration.ofSeconds(30))
              .until(informer::hasSynced);
          Awaitility.await("initial adds").until(() -> events.size() == UPDATES + DELETES);
          events.clear();
          long listsBefore = edge.apiStats().lists();
          long watchesBefore = edge.apiStats().watches();

          cloud.link.fail(failure);
          Awaitility.await("link down")
              .atMost(Duration.ofSeconds(60))
              .until(() -> edge.linkState() == LinkState.DISCONNECTED);
          for (int i = 0; i < CREATES; i++) {
            cloud.apply(CloudEnvironment.pod("new-" + i, NODE));
          }
          for (int i = 0; i < UPDATES; i++) {
            ObjectNode pod = CloudEnvironment.pod("old-" + i, NODE);
            pod.withObject("metadata").withObject("labels").put("round", "2");
            cloud.apply(pod);
          }
          for (int i = UPDATES; i < UPDATES + DELETES; i++) {
            cloud.delete(CloudEnvironment.pod("old-" + i, NODE));
          }
          Awaitility.await("nothing reaches the informer while offline")
              .during(Duration.ofSeconds(3))
              .atMost(Duration.ofSeconds(10))
              .until(events::isEmpty);

          cloud.link.restore();
          Awaitility.await("the 100 changes reach the informer")
              .atMost(Duration.ofSeconds(120))
              .until(() -> events.size() >= CREATES + UPDATES + DELETES);
          Awaitility.await("and nothing more")
              .during(Duration.ofSeconds(2))
              .atMost(Duration.ofSeconds(10))
              .until(() -> events.size() == CREATES + UPDATES + DELETES);
          assertThat(events.stream().filter(e -> e.startsWith("ADD new-"))).hasSize(CREATES);
          assertThat(events.stream().filter(e -> e.startsWith("UPDATE old-"))).hasSize(UPDATES);
          assertThat(events.stream().filter(e -> e.startsWith("DELETE old-"))).hasSize(DELETES);
          assertThat(events).doesNotHaveDuplicates();

          assertThat(edge.apiStats().lists()).as("no re-list").isEqualTo(listsBefore);
          assertThat(edge.apiStats().watches())
              .as("the watch never reopened")
              .isEqualTo(watchesBefore);
          assertThat(informer.isWatching()).isTrue();
          informer.close();
        }
        System.out.printf(
            "informer-link-cut: link=%s events=%d lost=0 duplicated=0 relists=0 time=%.1fs%n",
            failure, CREATES + UPDATES + DELETES, (System.nanoTime() - started) / 1e9);
      }
    }
  }

  /** Real changes only: a resync's update with an unchanged resourceVersion is not a change. */
  private static ResourceEventHandler<Pod> recorder(List<String> events) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        events.add("ADD " + pod.getMetadata().getName());
      }

      @Override
      public void onUpdate(Pod old, Pod pod) {
        if (!old.getMetadata()
            .getResourceVersion()
            .equals(pod.getMetadata().getResourceVersion())) {
          events.add("UPDATE " + pod.getMetadata().getName());
        }
      }

      @Override
      public void onDelete(Pod pod, boolean unknownFinalState) {
        events.add("DELETE " + pod.getMetadata().getName());
      }
    };
  }
}
