package io.kedge.kube.authorization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.WriteRequest;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Node authorization, rule by rule, for node {@code edge-1}: each row a write, the object it names
 * as the writer holds it, and the rule that refuses it (empty: allowed). The rules and their
 * messages follow kube-apiserver's NodeRestriction plugin.
 */
class NodeRestrictionTest {
  private static final String NODE = "edge-1";
  private static final NodeRestriction RESTRICTION = new NodeRestriction(NodeWriteRules.NONE);
  private static final String NODE_UID = "11111111-0000-4000-8000-000000000001";
  private static final String POD_UID = "22222222-0000-4000-8000-000000000002";

  /** The objects the writer holds: edge-1's Node, a pod on edge-1 and one on edge-2. */
  private static final Map<ObjectKey, JsonNode> HELD =
      Map.of(
          key("v1", "Node", "", NODE),
          json("{'metadata':{'name':'edge-1','uid':'" + NODE_UID + "'}}"),
          key("v1", "Pod", "default", "web"),
          pod("web", NODE),
          key("v1", "Pod", "default", "other"),
          pod("other", "edge-2"));

  static Stream<Arguments> writes() {
    return Stream.of(
        row("its own Node, created", create("v1", "Node", "", NODE, "{'metadata':{}}"), null, ""),
        row(
            "another node's Node",
            patch("v1", "Node", "", "edge-2", ""),
            null,
            "node \"edge-1\" is not allowed to modify node \"edge-2\""),
        row(
            "its Node with a configSource",
            create("v1", "Node", "", NODE, "{'spec':{'configSource':{'configMap':{}}}}"),
            null,
            "configSource"),
        row(
            "its node Lease",
            update("coordination.k8s.io/v1", "Lease", "kube-node-lease", NODE, ""),
            null,
            ""),
        row(
            "another node's Lease",
            update("coordination.k8s.io/v1", "Lease", "kube-node-lease", "edge-2", ""),
            null,
            "can only access node lease with the same name as the requesting node"),
        row(
            "a Lease outside kube-node-lease",
            create(
                "coordination.k8s.io/v1", "Lease", "kube-system", "kube-controller-manager", "{}"),
            null,
            "can only access leases in the \"kube-node-lease\" system namespace"),
        row("its CSINode", update("storage.k8s.io/v1", "CSINode", "", NODE, ""), null, ""),
        row(
            "another node's CSINode",
            update("storage.k8s.io/v1", "CSINode", "", "edge-2", ""),
            null,
            "can only access CSINode with the same name"),
        row("an Event", create("v1", "Event", "default", "web.1", "{}"), null, ""),
        row(
            "an events.k8s.io Event",
            create("events.k8s.io/v1", "Event", "default", "e", "{}"),
            null,
            ""),
        row(
            "status of its pod",
            status("v1", "Pod", "default", "web"),
            HELD.get(key("v1", "Pod", "default", "web")),
            ""),
        row(
            "status of another node's pod",
            status("v1", "Pod", "default", "other"),
            HELD.get(key("v1", "Pod", "default", "other")),
            "can only update pod status for pods with spec.nodeName set to itself"),
        row(
            "a pod's spec",
            patch("v1", "Pod", "default", "web", ""),
            HELD.get(key("v1", "Pod", "default", "web")),
            "can only create and delete mirror pods"),
        row(
            "delete its pod",
            delete("v1", "Pod", "default", "web"),
            HELD.get(key("v1", "Pod", "default", "web")),
            ""),
        row(
            "delete another node's pod",
            delete("v1", "Pod", "default", "other"),
            HELD.get(key("v1", "Pod", "default", "other")),
            "can only delete pods with spec.nodeName set to itself"),
        row(
            "a mirror pod",
            create("v1", "Pod", "default", "static-web", mirror(NODE, NODE_UID, "")),
            null,
            ""),
        row(
            "a pod that is not a mirror pod",
            create("v1", "Pod", "default", "p", "{'spec':{'nodeName':'edge-1'}}"),
            null,
            "can only create mirror pods"),
        row(
            "a mirror pod bound to another node",
            create("v1", "Pod", "default", "p", mirror("edge-2", NODE_UID, "")),
            null,
            "can only create pods with spec.nodeName set to itself"),
        row(
            "a mirror pod owned by a stale Node",
            create(
                "v1",
                "Pod",
                "default",
                "p",
                mirror(NODE, "00000000-0000-4000-8000-000000000000", "")),
            null,
            "UID mismatch"),
        row(
            "a mirror pod using a Secret",
            create(
                "v1",
                "Pod",
                "default",
                "p",
                mirror(NODE, NODE_UID, ",'volumes':[{'name':'s','secret':{'secretName':'db'}}]")),
            null,
            "can not create pods that reference secrets"),
        row(
            "a mirror pod mounting a claim",
            create(
                "v1",
                "Pod",
                "default",
                "p",
                mirror(
                    NODE,
                    NODE_UID,
                    ",'volumes':[{'name':'d','persistentVolumeClaim':{'claimName':'data'}}]")),
            null,
            "can not create pods that reference persistentvolumeclaims"),
        row(
            // kedge routes the claim named <pod>-<volume> to the pod's node
            "a mirror pod with a generic ephemeral volume",
            create(
                "v1",
                "Pod",
                "default",
                "victim",
                mirror(
                    NODE,
                    NODE_UID,
                    ",'volumes':[{'name':'data','ephemeral':{'volumeClaimTemplate':{}}}]")),
            null,
            "can not create pods that use generic ephemeral volumes"),
        row(
            "a pod eviction",
            new WriteRequest(
                "r",
                NODE,
                WriteOperation.CREATE,
                key("v1", "Pod", "default", "web"),
                "eviction",
                "",
                json("{}"),
                "",
                false,
                "",
                false),
            HELD.get(key("v1", "Pod", "default", "web")),
            "unexpected pod subresource \"eviction\""),
        row("a token for its pod", token("web", POD_UID), null, ""),
        row(
            "a token for another node's pod",
            token("other", POD_UID),
            null,
            "node requested token bound to a pod scheduled on a different node"),
        row(
            "a token for a recreated pod",
            token("web", "33333333-0000-4000-8000-000000000003"),
            null,
            "does not match the UID in record"),
        row(
            "a token bound to nothing",
            new WriteRequest(
                "r",
                NODE,
                WriteOperation.CREATE,
                key("v1", "ServiceAccount", "default", "app"),
                "token",
                "",
                json("{'spec':{}}"),
                "",
                false,
                "",
                false),
            null,
            "node requested token not bound to a pod"),
        row(
            "status of its device",
            status("devices.kubeedge.io/v1alpha2", "Device", "default", "thermo"),
            device(NODE),
            ""),
        row(
            "status of another node's device",
            status("devices.kubeedge.io/v1alpha2", "Device", "default", "thermo"),
            device("edge-2"),
            "can only update the status of devices bound to it"),
        row(
            "a device's spec",
            patch("devices.kubeedge.io/v1alpha2", "Device", "default", "thermo", ""),
            device(NODE),
            "can only update the status of devices"),
        row(
            "a Secret",
            create("v1", "Secret", "default", "db", "{}"),
            null,
            "node \"edge-1\" may write only its own objects"),
        row(
            "a cloud-owned ConfigMap",
            update("v1", "ConfigMap", "default", "settings", ""),
            null,
            "not configmaps in namespace \"default\""),
        row(
            "a Deployment",
            create("apps/v1", "Deployment", "default", "d", "{}"),
            null,
            "not deployments.apps"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("writes")
  void decides(String what, WriteRequest request, JsonNode current, String refusal) {
    String why = RESTRICTION.forbidden(NODE, request, current, HELD::get);
    if (refusal.isEmpty()) {
      assertThat(why).as(what).isNull();
    } else {
      assertThat(why).as(what).isNotNull().contains(refusal);
    }
  }

  static Stream<Arguments> changes() {
    JsonNode node =
        json(
            "{'metadata':{'name':'edge-1','labels':{'kubernetes.io/hostname':'edge-1'}},'spec':{'taints':[{'key':'k','effect':'NoSchedule'}]}}");
    return Stream.of(
        Arguments.of(
            "a kubelet label", node, labelled(node, "topology.kubernetes.io/zone", "a"), ""),
        Arguments.of("a label of its own", node, labelled(node, "shop.example.com/aisle", "3"), ""),
        Arguments.of(
            "KubeEdge's edge role", null, labelled(node, "node-role.kubernetes.io/edge", ""), ""),
        Arguments.of(
            "a node-restriction label",
            node,
            labelled(node, "node-restriction.kubernetes.io/trusted", "yes"),
            "not allowed to set the following labels: node-restriction.kubernetes.io/trusted"),
        Arguments.of(
            "the control-plane role",
            node,
            labelled(node, "node-role.kubernetes.io/control-plane", ""),
            "node-role.kubernetes.io/control-plane"),
        Arguments.of(
            "its taints removed",
            node,
            json(
                "{'metadata':{'name':'edge-1','labels':{'kubernetes.io/hostname':'edge-1'}},'spec':{}}"),
            "not allowed to modify taints"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("changes")
  void decidesTheChangeToItsNode(String what, JsonNode before, JsonNode after, String refusal) {
    String why =
        RESTRICTION.forbiddenChange(NODE, patch("v1", "Node", "", NODE, ""), before, after);
    if (refusal.isEmpty()) {
      assertThat(why).as(what).isNull();
    } else {
      assertThat(why).as(what).isNotNull().contains(refusal);
    }
  }

  @org.junit.jupiter.api.Test
  void aNodeWritesTheCapacityAndConditionsOfTheClaimsItsPodsUseAndNothingElse() {
    WriteRequest write = status("v1", "PersistentVolumeClaim", "default", "data");
    JsonNode claim =
        json(
            "{'apiVersion':'v1','kind':'PersistentVolumeClaim','metadata':{'name':'data',"
                + "'namespace':'default','resourceVersion':'4'},'spec':{'volumeName':'pv-1'},"
                + "'status':{'phase':'Bound','capacity':{'storage':'1Gi'}}}");
    assertThat(RESTRICTION.forbidden(NODE, write, claim, k -> null, (n, k) -> true)).isNull();
    assertThat(RESTRICTION.forbidden(NODE, write, claim, k -> null, (n, k) -> false))
        .isEqualTo("no relationship found between node 'edge-1' and this object");
    assertThat(RESTRICTION.forbidden(NODE, write, claim, k -> null))
        .as("without knowing what the node holds, no claim is its")
        .isNotNull();
    assertThat(
            RESTRICTION.unauthorized(
                NODE,
                WriteOperation.PATCH,
                key("v1", "PersistentVolumeClaim", "default", "data"),
                ""))
        .as("its spec")
        .contains("may write only its own objects");

    ObjectNode expanded = (ObjectNode) claim.deepCopy();
    expanded.withObject("status").putObject("capacity").put("storage", "2Gi");
    expanded.withObject("status").putArray("conditions").addObject().put("type", "Resizing");
    expanded.withObject("status").putObject("allocatedResources").put("storage", "2Gi");
    expanded.withObject("metadata").put("resourceVersion", "5");
    assertThat(RESTRICTION.forbiddenChange(NODE, write, claim, expanded)).isNull();
    ObjectNode lost = (ObjectNode) claim.deepCopy();
    lost.withObject("status").put("phase", "Lost");
    assertThat(RESTRICTION.forbiddenChange(NODE, write, claim, lost))
        .startsWith("node \"edge-1\" is not allowed to update fields other than status.capacity");
  }

  @org.junit.jupiter.api.Test
  void podStatusMayNotRelabelThePod() {
    JsonNode web = HELD.get(key("v1", "Pod", "default", "web"));
    JsonNode relabelled = labelled(web, "tier", "admin");
    assertThat(
            RESTRICTION.forbiddenChange(
                NODE, status("v1", "Pod", "default", "web"), web, relabelled))
        .isEqualTo("node \"edge-1\" cannot update labels through pod status");
  }

  @org.junit.jupiter.api.Test
  void operatorRulesAllowMoreAndAreCheckedWhenRead() {
    NodeRestriction shop =
        new NodeRestriction(
            NodeWriteRules.parse(List.of("v1/ConfigMap@shop", "apps/v1/Deployment")));
    assertThat(shop.forbidden(NODE, update("v1", "ConfigMap", "shop", "menu", ""), null, null))
        .isNull();
    assertThat(shop.forbidden(NODE, update("v1", "ConfigMap", "default", "menu", ""), null, null))
        .isNotNull();
    assertThat(shop.forbidden(NODE, create("apps/v1", "Deployment", "any", "d", "{}"), null, null))
        .isNull();
    assertThat(
            new NodeRestriction(NodeWriteRules.ALL)
                .forbidden(NODE, patch("v1", "Node", "", "edge-2", ""), null, null))
        .isNull();
    for (String bad : List.of("ConfigMap", "v1/configmap", "v1/ConfigMap@", "a/b/c/Kind")) {
      assertThatThrownBy(() -> NodeWriteRules.parse(List.of(bad)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "' must be apiVersion/Kind");
    }
  }

  @org.junit.jupiter.api.Test
  void aRefusalIsAForbiddenStatusNamingTheObject() {
    JsonNode status = NodeRestriction.status(key("v1", "Secret", "default", "db"), "why");
    assertThat(status.path("code").asInt()).isEqualTo(403);
    assertThat(status.path("reason").asText()).isEqualTo("Forbidden");
    assertThat(status.path("message").asText()).isEqualTo("secrets \"db\" is forbidden: why");
  }

  private static Arguments row(
      String what, WriteRequest request, JsonNode current, String refusal) {
    return Arguments.of(what, request, current, refusal);
  }

  private static ObjectKey key(String apiVersion, String kind, String ns, String name) {
    int slash = apiVersion.indexOf('/');
    return new ObjectKey(
        slash < 0 ? "" : apiVersion.substring(0, slash),
        apiVersion.substring(slash + 1),
        kind,
        ns,
        name);
  }

  private static WriteRequest write(
      WriteOperation op,
      String apiVersion,
      String kind,
      String ns,
      String name,
      String sub,
      String body) {
    return new WriteRequest(
        "r",
        NODE,
        op,
        key(apiVersion, kind, ns, name),
        sub,
        "",
        body == null ? null : json(body),
        "",
        false,
        "",
        false);
  }

  private static WriteRequest create(
      String apiVersion, String kind, String ns, String name, String body) {
    return write(WriteOperation.CREATE, apiVersion, kind, ns, name, "", body);
  }

  private static WriteRequest update(
      String apiVersion, String kind, String ns, String name, String sub) {
    return write(WriteOperation.UPDATE, apiVersion, kind, ns, name, sub, "{}");
  }

  private static WriteRequest patch(
      String apiVersion, String kind, String ns, String name, String sub) {
    return write(WriteOperation.PATCH, apiVersion, kind, ns, name, sub, "{}");
  }

  private static WriteRequest status(String apiVersion, String kind, String ns, String name) {
    return patch(apiVersion, kind, ns, name, "status");
  }

  private static WriteRequest delete(String apiVersion, String kind, String ns, String name) {
    return write(WriteOperation.DELETE, apiVersion, kind, ns, name, "", null);
  }

  private static WriteRequest token(String pod, String uid) {
    return write(
        WriteOperation.CREATE,
        "v1",
        "ServiceAccount",
        "default",
        "app",
        "token",
        "{'spec':{'boundObjectRef':{'apiVersion':'v1','kind':'Pod','name':'"
            + pod
            + "','uid':'"
            + uid
            + "'}}}");
  }

  private static JsonNode pod(String name, String node) {
    return json(
        "{'metadata':{'name':'"
            + name
            + "','namespace':'default','uid':'"
            + POD_UID
            + "','labels':{'app':'"
            + name
            + "'}},'spec':{'nodeName':'"
            + node
            + "'}}");
  }

  private static String mirror(String node, String ownerUid, String moreSpec) {
    return "{'metadata':{'annotations':{'kubernetes.io/config.mirror':'hash'},"
        + "'ownerReferences':[{'apiVersion':'v1','kind':'Node','name':'edge-1','uid':'"
        + ownerUid
        + "','controller':true}]},"
        + "'spec':{'nodeName':'"
        + node
        + "'"
        + moreSpec
        + "}}";
  }

  private static JsonNode device(String node) {
    return json(
        "{'metadata':{'name':'thermo'},'spec':{'nodeSelector':{'nodeSelectorTerms':[{'matchExpressions':[{'key':'','operator':'In','values':['"
            + node
            + "']}]}]}}}");
  }

  private static JsonNode labelled(JsonNode object, String label, String value) {
    JsonNode copy = object.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) copy)
        .withObject("metadata")
        .withObject("labels")
        .put(label, value);
    return copy;
  }

  private static JsonNode json(String singleQuoted) {
    try {
      return EventCodec.json().readTree(singleQuoted.replace('\'', '"'));
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
