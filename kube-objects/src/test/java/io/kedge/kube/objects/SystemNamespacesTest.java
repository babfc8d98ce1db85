package io.kedge.kube.objects;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.WriteRequest;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What kube-apiserver does for every Namespace and for its own ones. */
class SystemNamespacesTest {
  private static final Instant NOW = Instant.parse("2026-12-05T10:00:00.250Z");

  private static WriteRequest delete(ObjectKey key) {
    return new WriteRequest("r", "edge-1", WriteOperation.DELETE, key, "", "", null, "", false, "");
  }

  private static ObjectNode stored(String name) {
    ObjectNode namespace = SystemNamespaces.object(name);
    namespace.withObject("metadata").put("resourceVersion", "3").put("uid", "u-" + name);
    return namespace;
  }

  @Test
  void everyNamespaceIsLabelledWithItsNameWhateverTheWriteSays() {
    ObjectNode namespace =
        TestJson.object(
            "{'apiVersion':'v1','kind':'Namespace','metadata':{'name':'shop',"
                + "'labels':{'team':'a','kubernetes.io/metadata.name':'other'}}}");
    ObjectDefaults.fill(SystemNamespaces.key("shop"), namespace);
    assertThat(namespace.at("/metadata/labels/kubernetes.io~1metadata.name").asText())
        .isEqualTo("shop");
    assertThat(namespace.at("/metadata/labels/team").asText()).isEqualTo("a");
    assertThat(namespace.at("/status/phase").asText()).isEqualTo("Active");

    ObjectNode created = SystemNamespaces.object("kube-node-lease");
    ObjectDefaults.fill(SystemNamespaces.key("kube-node-lease"), created);
    assertThat(created.at("/metadata/labels/kubernetes.io~1metadata.name").asText())
        .isEqualTo("kube-node-lease");
  }

  @Test
  void defaultKubeSystemAndKubePublicMayNotBeDeleted() {
    for (String name : new String[] {"default", "kube-system", "kube-public"}) {
      ObjectWrites.Outcome refused =
          ObjectWrites.apply(delete(SystemNamespaces.key(name)), stored(name), "9", NOW);
      assertThat(refused.code()).as(name).isEqualTo(403);
      assertThat(refused.change()).isInstanceOf(ObjectWrites.None.class);
      assertThat(refused.body().path("reason").asText()).isEqualTo("Forbidden");
      assertThat(refused.body().path("message").asText())
          .isEqualTo("namespaces \"" + name + "\" is forbidden: this namespace may not be deleted");
      assertThat(refused.body().at("/details/kind").asText()).isEqualTo("namespaces");
    }
    ObjectWrites.Outcome lease =
        ObjectWrites.apply(
            delete(SystemNamespaces.key("kube-node-lease")), stored("kube-node-lease"), "9", NOW);
    assertThat(lease.code()).isEqualTo(200);
    assertThat(lease.change()).isInstanceOf(ObjectWrites.Delete.class);
    ObjectWrites.Outcome other =
        ObjectWrites.apply(delete(SystemNamespaces.key("shop")), stored("shop"), "9", NOW);
    assertThat(other.change()).isInstanceOf(ObjectWrites.Delete.class);
  }

  @Test
  void anObjectNamedDefaultOfAnotherKindMayBeDeleted() {
    ObjectKey configMap = ObjectKey.parse("/v1/ConfigMap/default/default");
    ObjectNode stored =
        TestJson.object(
            "{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'default',"
                + "'namespace':'default','resourceVersion':'3'}}");
    assertThat(ObjectWrites.apply(delete(configMap), stored, "9", NOW).code()).isEqualTo(200);
  }
}
