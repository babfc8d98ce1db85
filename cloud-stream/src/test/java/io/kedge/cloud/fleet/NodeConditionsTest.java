package io.kedge.cloud.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.WriteRequest;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * In Kubernetes mode kedge's condition goes into the cluster's Node as a JSON patch that tests the
 * Node's resourceVersion and touches only its own condition: the kubelet's stay as they are.
 */
class NodeConditionsTest {
  private static final ObjectKey NODE = new ObjectKey("", "v1", "Node", "", "edge-1");

  private static WriteRequest condition(boolean transition) throws IOException {
    String time = transition ? ",\"lastTransitionTime\":\"2026-12-02T03:00:00Z\"" : "";
    return new WriteRequest(
        "r1",
        "edge-1",
        WriteOperation.PATCH,
        NODE,
        "status",
        "application/strategic-merge-patch+json",
        json(
            "{\"status\":{\"conditions\":[{\"type\":\"KedgeLinkReady\",\"status\":\"False\""
                + time
                + "}]}}"),
        "",
        false,
        NodeConditions.FIELD_MANAGER);
  }

  private static JsonNode json(String text) throws IOException {
    return EventCodec.json().readTree(text);
  }

  @Test
  void aNodeWithTheKubeletsConditionsGetsOursAddedAfterThem() throws Exception {
    JsonNode node =
        json(
            "{\"metadata\":{\"resourceVersion\":\"42\"},\"status\":{\"conditions\":"
                + "[{\"type\":\"Ready\",\"status\":\"True\"},{\"type\":\"MemoryPressure\","
                + "\"status\":\"False\"}]}}");

    WriteRequest patch = NodeConditions.asJsonPatch(condition(true), node);

    assertThat(patch.patchType()).isEqualTo("application/json-patch+json");
    assertThat(patch.subresource()).isEqualTo("status");
    JsonNode ops = patch.body();
    assertThat(ops.get(0).toString())
        .isEqualTo("{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\"42\"}");
    assertThat(ops.get(1).path("op").asText()).isEqualTo("add");
    assertThat(ops.get(1).path("path").asText()).isEqualTo("/status/conditions/-");
    assertThat(ops.get(1).path("value").path("type").asText()).isEqualTo("KedgeLinkReady");
    assertThat(ops).hasSize(2);
  }

  @Test
  void ourConditionIsReplacedWhereItIsAndKeepsItsTransitionTimeOnARefresh() throws Exception {
    JsonNode node =
        json(
            "{\"metadata\":{\"resourceVersion\":\"7\"},\"status\":{\"conditions\":"
                + "[{\"type\":\"Ready\",\"status\":\"True\"},{\"type\":\"KedgeLinkReady\","
                + "\"status\":\"True\",\"lastTransitionTime\":\"2026-12-01T00:00:00Z\"}]}}");

    JsonNode ops = NodeConditions.asJsonPatch(condition(false), node).body();

    assertThat(ops.get(1).path("op").asText()).isEqualTo("replace");
    assertThat(ops.get(1).path("path").asText()).isEqualTo("/status/conditions/1");
    assertThat(ops.get(1).path("value").path("status").asText()).isEqualTo("False");
    assertThat(ops.get(1).path("value").path("lastTransitionTime").asText())
        .isEqualTo("2026-12-01T00:00:00Z");
  }

  @Test
  void aNodeWithoutStatusGetsOne() throws Exception {
    JsonNode ops =
        NodeConditions.asJsonPatch(
                condition(true), json("{\"metadata\":{\"resourceVersion\":\"1\"}}"))
            .body();

    assertThat(ops.get(1).path("path").asText()).isEqualTo("/status");
    assertThat(ops.get(1).path("value").path("conditions").get(0).path("type").asText())
        .isEqualTo("KedgeLinkReady");
  }
}
