package io.kedge.cloud.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.kube.authorization.NodeWriteRules;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.KedgeEventSerde;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.WriteRequest;
import io.kedge.schemas.WriteResponse;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every node authorization rule, decided again by the cloud for requests that skip the edge API:
 * node edge-1 sends each write straight to the upstream topic; what is not its own is answered 403
 * with the rule, and what is its own is applied.
 */
class CloudNodeAuthorizationTest extends RouterTestBase {
  @Override
  @BeforeEach
  void start() {
    trust = NodeTrust.of(null, NodeWriteRules.NONE);
    super.start();
    upsert(node("edge-1"));
    upsert(node("edge-2"));
    upsert(pod("mine", "edge-1"));
    upsert(pod("theirs", "edge-2"));
    ObjectNode data = claim("data", "pv-data");
    data.putObject("status").put("phase", "Bound").putObject("capacity").put("storage", "1Gi");
    upsert(data);
    upsert(claim("logs", "pv-logs"));
    upsert(podWithClaim("db", "edge-1", "data"));
    upsert(podWithClaim("logger", "edge-2", "logs"));
    received("edge-1");
  }

  static Stream<Arguments> writes() {
    return Stream.of(
        row(
            "its Node's labels",
            patch("v1", "Node", "", "edge-1", "", "{'metadata':{'labels':{'shop':'3'}}}"),
            200,
            ""),
        row(
            "another node's Node",
            patch("v1", "Node", "", "edge-2", "", "{'metadata':{'labels':{'x':'y'}}}"),
            403,
            "is not allowed to modify node \"edge-2\""),
        row(
            "its Node's taints",
            patch(
                "v1",
                "Node",
                "",
                "edge-1",
                "",
                "{'spec':{'taints':[{'key':'k','effect':'NoSchedule'}]}}"),
            403,
            "not allowed to modify taints"),
        row(
            "a node-restriction label",
            patch(
                "v1",
                "Node",
                "",
                "edge-1",
                "",
                "{'metadata':{'labels':{'node-restriction.kubernetes.io/x':'y'}}}"),
            403,
            "not allowed to set the following labels"),
        row(
            "its Lease",
            create("coordination.k8s.io/v1", "Lease", "kube-node-lease", "edge-1", "{'spec':{}}"),
            201,
            ""),
        row(
            "another node's Lease",
            create("coordination.k8s.io/v1", "Lease", "kube-node-lease", "edge-2", "{'spec':{}}"),
            403,
            "can only access node lease"),
        row(
            "a Lease elsewhere",
            create(
                "coordination.k8s.io/v1", "Lease", "kube-system", "kube-scheduler", "{'spec':{}}"),
            403,
            "can only access leases in the \"kube-node-lease\""),
        row(
            "another node's CSINode",
            create("storage.k8s.io/v1", "CSINode", "", "edge-2", "{'spec':{'drivers':[]}}"),
            403,
            "can only access CSINode"),
        row(
            "its pod's status",
            patch("v1", "Pod", "default", "mine", "status", "{'status':{'phase':'Running'}}"),
            200,
            ""),
        row(
            "another node's pod's status",
            patch("v1", "Pod", "default", "theirs", "status", "{'status':{'phase':'Failed'}}"),
            403,
            "can only update pod status for pods with spec.nodeName set to itself"),
        row(
            "a pod's spec",
            patch("v1", "Pod", "default", "mine", "", "{'metadata':{'labels':{'x':'y'}}}"),
            403,
            "can only create and delete mirror pods"),
        row(
            "a pod that is not a mirror pod",
            create("v1", "Pod", "default", "new", "{'spec':{'nodeName':'edge-1'}}"),
            403,
            "can only create mirror pods"),
        row(
            "another node's pod deleted",
            delete("v1", "Pod", "default", "theirs"),
            403,
            "can only delete pods with spec.nodeName set to itself"),
        row(
            "the capacity and conditions of its pod's claim (a volume's expansion)",
            claimStatus(
                "data",
                "{'status':{'capacity':{'storage':'2Gi'},"
                    + "'conditions':[{'type':'FileSystemResizePending','status':'True'}]}}"),
            200,
            ""),
        row(
            "the status of a claim only another node's pod uses",
            claimStatus("logs", "{'status':{'capacity':{'storage':'2Gi'}}}"),
            403,
            "no relationship found between node 'edge-1' and this object"),
        row(
            "its pod's claim's phase",
            claimStatus("data", "{'status':{'phase':'Lost'}}"),
            403,
            "is not allowed to update fields other than status.capacity, status.conditions"),
        row(
            "its pod's claim's spec",
            patch(
                "v1",
                "PersistentVolumeClaim",
                "default",
                "data",
                "",
                "{'spec':{'resources':{'requests':{'storage':'5Gi'}}}}"),
            403,
            "may write only its own objects"),
        row(
            "an Event",
            create("v1", "Event", "default", "mine.1", "{'reason':'Started'}"),
            201,
            ""),
        row(
            "a Secret",
            create("v1", "Secret", "default", "db", "{}"),
            403,
            "may write only its own objects"),
        row(
            "a ConfigMap",
            create("v1", "ConfigMap", "default", "cfg", "{}"),
            403,
            "may write only its own objects"),
        row(
            "a token for another node's pod",
            token("theirs"),
            403,
            "does not match the UID in record"),
        row(
            "a device's spec",
            patch("devices.kubeedge.io/v1alpha2", "Device", "default", "thermo", "", "{}"),
            403,
            "can only update the status of devices"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("writes")
  void decides(String what, WriteRequest request, int code, String rule) {
    ProducerRecord<String, byte[]> record =
        codec.toRecord("t", "edge-1", KedgeEvent.of(SOURCE, "", request));
    upstream.pipeInput(new TestRecord<>(record.key(), record.value(), record.headers()));
    List<WriteResponse> answers =
        driver
            .createOutputTopic(
                topics.node("edge-1").name(),
                new StringDeserializer(),
                new KedgeEventSerde(codec).deserializer())
            .readValuesToList()
            .stream()
            .filter(e -> e.data() instanceof WriteResponse)
            .map(e -> (WriteResponse) e.data())
            .toList();
    assertThat(answers).as(what).hasSize(1);
    assertThat(answers.get(0).code()).as(what + ": " + answers.get(0).body()).isEqualTo(code);
    if (!rule.isEmpty()) {
      assertThat(answers.get(0).body().path("message").asText()).as(what).contains(rule);
    }
    assertThat(trust.rejections().total("forbidden")).isEqualTo(code == 403 ? 1 : 0);
  }

  private static Arguments row(String what, WriteRequest request, int code, String rule) {
    return Arguments.of(what, request, code, rule);
  }

  private static WriteRequest write(
      WriteOperation op,
      String apiVersion,
      String kind,
      String ns,
      String name,
      String sub,
      String body) {
    int slash = apiVersion.indexOf('/');
    ObjectKey key =
        new ObjectKey(
            slash < 0 ? "" : apiVersion.substring(0, slash),
            apiVersion.substring(slash + 1),
            kind,
            ns,
            name);
    JsonNode json = null;
    if (body != null) {
      try {
        json = EventCodec.json().readTree(body.replace('\'', '"'));
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException(e);
      }
      if (op == WriteOperation.CREATE) {
        com.fasterxml.jackson.databind.node.ObjectNode object =
            (com.fasterxml.jackson.databind.node.ObjectNode) json;
        object.put("apiVersion", apiVersion).put("kind", kind);
        object.withObject("metadata").put("name", name);
        if (!ns.isEmpty()) {
          object.withObject("metadata").put("namespace", ns);
        }
      }
    }
    return new WriteRequest(
        "w-" + what(kind, name, sub),
        "edge-1",
        op,
        key,
        sub,
        op == WriteOperation.PATCH ? "application/merge-patch+json" : "",
        json,
        "",
        false,
        "test");
  }

  private static String what(String kind, String name, String sub) {
    return kind + "-" + name + "-" + sub + "-" + System.nanoTime();
  }

  private static WriteRequest create(
      String apiVersion, String kind, String ns, String name, String body) {
    return write(WriteOperation.CREATE, apiVersion, kind, ns, name, "", body);
  }

  private static WriteRequest patch(
      String apiVersion, String kind, String ns, String name, String sub, String body) {
    return write(WriteOperation.PATCH, apiVersion, kind, ns, name, sub, body);
  }

  private static WriteRequest claimStatus(String claim, String body) {
    return patch("v1", "PersistentVolumeClaim", "default", claim, "status", body);
  }

  private static WriteRequest delete(String apiVersion, String kind, String ns, String name) {
    return write(WriteOperation.DELETE, apiVersion, kind, ns, name, "", null);
  }

  private static WriteRequest token(String pod) {
    return write(
        WriteOperation.CREATE,
        "v1",
        "ServiceAccount",
        "default",
        "app",
        "token",
        "{'spec':{'boundObjectRef':{'apiVersion':'v1','kind':'Pod','name':'"
            + pod
            + "','uid':'u-1'}}}");
  }
}
