package io.kedge.cloud.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.kube.objects.SystemNamespaces;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.WriteRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The standalone applier keeps kube-apiserver's system Namespaces, and they reach every node. */
class SystemNamespacesRoutingTest extends RouterTestBase {
  {
    systemNamespaces = true;
  }

  private static final List<String> CREATED =
      List.of(
          "upsert Namespace/default",
          "upsert Namespace/kube-system",
          "upsert Namespace/kube-public",
          "upsert Namespace/kube-node-lease");

  private void check() {
    driver.advanceWallClockTime(SystemNamespaceKeeper.EVERY);
  }

  @Test
  void theyAreCreatedOnceLabelledAndReachEveryNode() {
    twoNodes();
    check();
    assertThat(received("edge-2")).containsExactlyInAnyOrderElementsOf(CREATED);
    List<KedgeEvent> events = events("edge-1");
    assertThat(events).hasSize(4);
    for (KedgeEvent event : events) {
      ObjectNode namespace = ((ResourceUpsert) event.data()).object();
      String name = namespace.at("/metadata/name").asText();
      assertThat(namespace.at("/metadata/labels/kubernetes.io~1metadata.name").asText())
          .isEqualTo(name);
      assertThat(namespace.at("/status/phase").asText()).isEqualTo("Active");
      assertThat(namespace.at("/metadata/uid").asText()).isNotEmpty();
    }

    check();
    assertThat(received("edge-1")).as("not again while they exist").isEmpty();
  }

  @Test
  void aChangedNamespaceIsKeptAndADeletedKubeNodeLeaseComesBack() {
    twoNodes();
    check();
    received("edge-1");
    received("edge-2");
    ObjectNode labelled = SystemNamespaces.object("default");
    labelled.withObject("metadata").putObject("labels").put("team", "shop");
    upsert(labelled);
    delete(SystemNamespaces.object("kube-node-lease"));
    assertThat(received("edge-1"))
        .containsExactly("upsert Namespace/default", "delete Namespace/kube-node-lease");

    check();
    List<KedgeEvent> events = events("edge-1");
    assertThat(events).hasSize(1);
    ResourceUpsert back = (ResourceUpsert) events.get(0).data();
    assertThat(back.key().name()).isEqualTo("kube-node-lease");
    check();
    assertThat(received("edge-2"))
        .as("default keeps its label: it is not written again")
        .containsExactly(
            "upsert Namespace/default",
            "delete Namespace/kube-node-lease",
            "upsert Namespace/kube-node-lease");
  }

  @Test
  void aNodeMayNotDeleteDefault() {
    twoNodes();
    check();
    received("edge-1");
    received("edge-2");
    submit(
        new WriteRequest(
            "d-1",
            "edge-1",
            WriteOperation.DELETE,
            SystemNamespaces.key("default"),
            "",
            "",
            null,
            "",
            false,
            ""));
    assertThat(received("edge-1")).containsExactly("answer 403");
    check();
    assertThat(received("edge-2")).isEmpty();
  }
}
