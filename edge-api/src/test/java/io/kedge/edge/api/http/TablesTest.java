package io.kedge.edge.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.view.ResourceType;
import io.kedge.edge.api.view.ResourceTypes;
import io.kedge.edge.api.view.TestObjects;
import io.kedge.schemas.EventCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class TablesTest {
  private static final String KUBECTL_ACCEPT =
      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;"
          + "g=meta.k8s.io,application/json";
  private final Tables tables =
      new Tables(Clock.fixed(Instant.parse("2026-11-26T00:05:30Z"), ZoneOffset.UTC));
  private final ResourceTypes types = ResourceTypes.builtIn();
  private final ResourceType pods = types.byResource("", "v1", "pods").orElseThrow();
  private final ResourceType configMaps = types.byResource("", "v1", "configmaps").orElseThrow();
  private final ResourceType endpoints = types.byResource("", "v1", "endpoints").orElseThrow();

  @Test
  void kubectlsAcceptHeaderAsksForATableAndPlainJsonDoesNot() {
    assertThat(Tables.tableVersion(KUBECTL_ACCEPT)).isEqualTo("v1");
    assertThat(Tables.tableVersion("application/json;as=Table;v=v1beta1;g=meta.k8s.io"))
        .isEqualTo("v1beta1");
    assertThat(Tables.tableVersion("application/json;as=Table;v=v9;g=meta.k8s.io,application/json"))
        .isNull();
    assertThat(Tables.tableVersion("application/json")).isNull();
    assertThat(Tables.tableVersion(null)).isNull();
    assertThat(
            Tables.tableVersion("application/json, application/json;as=Table;v=v1;g=meta.k8s.io"))
        .as("plain JSON preferred first")
        .isNull();
  }

  @Test
  void podRowsHaveKubectlsColumns() {
    ObjectNode running = TestObjects.pod("default", "web-0", "edge-1", "Running");
    ObjectNode status = (ObjectNode) running.path("status");
    status.put("podIP", "10.0.0.7");
    status
        .putArray("containerStatuses")
        .addObject()
        .put("name", "app")
        .put("ready", true)
        .put("restartCount", 3)
        .putObject("state")
        .putObject("running");
    ObjectNode crashing = TestObjects.pod("default", "db-0", "edge-1", "Running");
    ((ObjectNode) crashing.path("status"))
        .putArray("containerStatuses")
        .addObject()
        .put("name", "app")
        .put("ready", false)
        .put("restartCount", 7)
        .putObject("state")
        .putObject("waiting")
        .put("reason", "CrashLoopBackOff");
    ObjectNode leaving = TestObjects.pod("default", "old", "edge-1", "Running");
    ((ObjectNode) leaving.path("metadata")).put("deletionTimestamp", "2026-11-26T00:05:00Z");

    JsonNode table =
        tables.table(
            pods,
            "v1",
            List.of(running, crashing, leaving),
            Tables.Include.METADATA,
            EventCodec.json().createObjectNode().put("resourceVersion", "42"));

    assertThat(table.path("kind").asText()).isEqualTo("Table");
    assertThat(table.path("apiVersion").asText()).isEqualTo("meta.k8s.io/v1");
    assertThat(table.path("metadata").path("resourceVersion").asText()).isEqualTo("42");
    assertThat(table.path("columnDefinitions").findValuesAsText("name"))
        .startsWith("Name", "Ready", "Status", "Restarts", "Age", "IP", "Node");
    assertThat(cells(table, 0)).startsWith("web-0", "1/1", "Running", "3", "5m30s", "10.0.0.7");
    assertThat(cells(table, 0).get(6)).isEqualTo("edge-1");
    assertThat(cells(table, 1)).startsWith("db-0", "0/1", "CrashLoopBackOff", "7");
    assertThat(cells(table, 2).get(2)).isEqualTo("Terminating");
    JsonNode object = table.path("rows").get(0).path("object");
    assertThat(object.path("kind").asText()).isEqualTo("PartialObjectMetadata");
    assertThat(object.path("metadata").path("namespace").asText()).isEqualTo("default");
    assertThat(object.has("spec")).isFalse();
  }

  @Test
  void otherKindsGetNameAndCreatedAtAndIncludeObjectIsHonoured() {
    ObjectNode cm = EventCodec.json().createObjectNode();
    cm.put("apiVersion", "v1").put("kind", "Endpoints");
    cm.putObject("metadata")
        .put("name", "settings")
        .put("namespace", "default")
        .put("creationTimestamp", "2026-11-25T00:00:00Z");
    JsonNode full =
        tables.table(
            endpoints,
            "v1",
            List.of(cm),
            Tables.Include.OBJECT,
            EventCodec.json().createObjectNode());
    assertThat(full.path("columnDefinitions").findValuesAsText("name"))
        .containsExactly("Name", "Created At");
    assertThat(cells(full, 0)).containsExactly("settings", "2026-11-25T00:00:00Z");
    assertThat(full.path("rows").get(0).path("object")).isEqualTo(cm);
    JsonNode none =
        tables.table(
            endpoints,
            "v1",
            List.of(cm),
            Tables.Include.NONE,
            EventCodec.json().createObjectNode());
    assertThat(none.path("rows").get(0).has("object")).isFalse();
    assertThatThrownBy(() -> Tables.Include.parse("Everything"))
        .hasMessageContaining("includeObject")
        .hasMessageContaining("Everything");
  }

  private JsonNode one(String resource, String group, ObjectNode object) {
    ResourceType type =
        types.byResource(group, group.isEmpty() ? "v1" : "v1", resource).orElseThrow();
    ((ObjectNode) object.path("metadata")).put("creationTimestamp", "2026-11-26T00:00:00Z");
    return tables.table(
        type, "v1", List.of(object), Tables.Include.NONE, EventCodec.json().createObjectNode());
  }

  private static ObjectNode object(String json) throws Exception {
    return (ObjectNode) EventCodec.json().readTree(json);
  }

  @Test
  void builtInKindsGetKubeApiserversColumns() throws Exception {
    JsonNode nodes =
        one(
            "nodes",
            "",
            object(
                "{\"metadata\":{\"name\":\"edge-1\",\"labels\":{"
                    + "\"node-role.kubernetes.io/edge\":\"\",\"node-role.kubernetes.io/agent\":\"\"}},"
                    + "\"spec\":{\"unschedulable\":true},\"status\":{\"conditions\":["
                    + "{\"type\":\"MemoryPressure\",\"status\":\"False\"},"
                    + "{\"type\":\"Ready\",\"status\":\"True\"}],"
                    + "\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"10.0.0.5\"}],"
                    + "\"nodeInfo\":{\"kubeletVersion\":\"v1.35.0\",\"osImage\":\"Debian 12\"}}}"));
    assertThat(nodes.path("columnDefinitions").findValuesAsText("name"))
        .containsExactly(
            "Name",
            "Status",
            "Roles",
            "Age",
            "Version",
            "Internal-IP",
            "External-IP",
            "OS-Image",
            "Kernel-Version",
            "Container-Runtime");
    assertThat(cells(nodes, 0))
        .containsExactly(
            "edge-1",
            "Ready,SchedulingDisabled",
            "agent,edge",
            "5m30s",
            "v1.35.0",
            "10.0.0.5",
            "<none>",
            "Debian 12",
            "<unknown>",
            "<unknown>");
    JsonNode unknown = one("nodes", "", object("{\"metadata\":{\"name\":\"edge-2\"}}"));
    assertThat(cells(unknown, 0)).startsWith("edge-2", "Unknown", "<none>");

    JsonNode configMaps =
        one(
            "configmaps",
            "",
            object(
                "{\"metadata\":{\"name\":\"c\"},\"data\":{\"a\":\"1\",\"b\":\"2\"},"
                    + "\"binaryData\":{\"c\":\"AA==\"}}"));
    assertThat(configMaps.path("columnDefinitions").findValuesAsText("name"))
        .containsExactly("Name", "Data", "Age");
    assertThat(configMaps.path("rows").get(0).path("cells").get(1).isNumber()).isTrue();
    assertThat(cells(configMaps, 0)).containsExactly("c", "3", "5m30s");

    JsonNode secrets =
        one(
            "secrets",
            "",
            object(
                "{\"metadata\":{\"name\":\"s\"},\"type\":\"Opaque\",\"data\":{\"k\":\"dg==\"}}"));
    assertThat(cells(secrets, 0)).containsExactly("s", "Opaque", "1", "5m30s");

    JsonNode services =
        one(
            "services",
            "",
            object(
                "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"type\":\"NodePort\","
                    + "\"clusterIPs\":[\"10.96.0.10\"],\"selector\":{\"tier\":\"web\",\"app\":\"shop\"},"
                    + "\"ports\":[{\"port\":80,\"nodePort\":30080,\"protocol\":\"TCP\"},"
                    + "{\"port\":53,\"protocol\":\"UDP\"}]}}"));
    assertThat(services.path("columnDefinitions").findValuesAsText("name"))
        .containsExactly("Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector");
    assertThat(cells(services, 0))
        .containsExactly(
            "web",
            "NodePort",
            "10.96.0.10",
            "<none>",
            "80:30080/TCP,53/UDP",
            "5m30s",
            "app=shop,tier=web");
    JsonNode balanced =
        one(
            "services",
            "",
            object(
                "{\"metadata\":{\"name\":\"lb\"},\"spec\":{\"type\":\"LoadBalancer\","
                    + "\"clusterIP\":\"10.96.0.11\"}}"));
    assertThat(cells(balanced, 0)).contains("<pending>");

    JsonNode leases =
        one(
            "leases",
            "coordination.k8s.io",
            object(
                "{\"metadata\":{\"name\":\"edge-1\"},\"spec\":{\"holderIdentity\":\"edge-1\"}}"));
    assertThat(cells(leases, 0)).containsExactly("edge-1", "edge-1", "5m30s");
  }

  @Test
  void agesReadLikeKubectls() {
    assertThat(Tables.humanDuration(Duration.ofSeconds(-5))).isEqualTo("<invalid>");
    assertThat(Tables.humanDuration(Duration.ofSeconds(0))).isEqualTo("0s");
    assertThat(Tables.humanDuration(Duration.ofSeconds(119))).isEqualTo("119s");
    assertThat(Tables.humanDuration(Duration.ofSeconds(120))).isEqualTo("2m");
    assertThat(Tables.humanDuration(Duration.ofSeconds(192))).isEqualTo("3m12s");
    assertThat(Tables.humanDuration(Duration.ofMinutes(45))).isEqualTo("45m");
    assertThat(Tables.humanDuration(Duration.ofMinutes(185))).isEqualTo("3h5m");
    assertThat(Tables.humanDuration(Duration.ofHours(30))).isEqualTo("30h");
    assertThat(Tables.humanDuration(Duration.ofHours(52))).isEqualTo("2d4h");
    assertThat(Tables.humanDuration(Duration.ofDays(40))).isEqualTo("40d");
    assertThat(Tables.humanDuration(Duration.ofDays(365 * 3 + 2))).isEqualTo("3y2d");
    assertThat(Tables.humanDuration(Duration.ofDays(365 * 9))).isEqualTo("9y");
    assertThat(tables.age("")).isEqualTo("<unknown>");
  }

  private static List<String> cells(JsonNode table, int row) {
    List<String> cells = new java.util.ArrayList<>();
    table.path("rows").get(row).path("cells").forEach(c -> cells.add(c.asText()));
    return cells;
  }
}
