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
  private final ResourceType crds =
      types.byResource("apiextensions.k8s.io", "v1", "customresourcedefinitions").orElseThrow();

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
    cm.put("apiVersion", "apiextensions.k8s.io/v1").put("kind", "CustomResourceDefinition");
    cm.putObject("metadata")
        .put("name", "settings")
        .put("creationTimestamp", "2026-11-25T00:00:00Z");
    JsonNode full =
        tables.table(
            crds, "v1", List.of(cm), Tables.Include.OBJECT, EventCodec.json().createObjectNode());
    assertThat(full.path("columnDefinitions").findValuesAsText("name"))
        .containsExactly("Name", "Created At");
    assertThat(cells(full, 0)).containsExactly("settings", "2026-11-25T00:00:00Z");
    assertThat(full.path("rows").get(0).path("object")).isEqualTo(cm);
    JsonNode none =
        tables.table(
            crds, "v1", List.of(cm), Tables.Include.NONE, EventCodec.json().createObjectNode());
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

  private List<String> podCells(String json) throws Exception {
    ObjectNode pod = object(json);
    pod.withObject("metadata").put("name", "p").put("namespace", "default");
    return cells(one("pods", "", pod), 0);
  }

  @Test
  void podStatusesAreDecidedAsKubeApiserverDecidesThem() throws Exception {
    // waiting on the second of two init containers
    assertThat(
            podCells(
                "{\"metadata\":{},\"spec\":{\"initContainers\":[{\"name\":\"a\"},{\"name\":\"b\"}],"
                    + "\"containers\":[{\"name\":\"app\"}]},\"status\":{\"phase\":\"Pending\","
                    + "\"initContainerStatuses\":[{\"name\":\"a\",\"state\":{\"terminated\":"
                    + "{\"exitCode\":0}}},{\"name\":\"b\",\"state\":{\"running\":{}}}]}}"))
        .startsWith("p", "0/1", "Init:1/2", "0");
    // an init container crash-looping, its restarts counted with when the last one was
    assertThat(
            podCells(
                "{\"metadata\":{},\"spec\":{\"initContainers\":[{\"name\":\"a\"}],"
                    + "\"containers\":[{\"name\":\"app\"}]},\"status\":{\"phase\":\"Pending\","
                    + "\"initContainerStatuses\":[{\"name\":\"a\",\"restartCount\":4,\"state\":"
                    + "{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}},\"lastState\":{\"terminated\":"
                    + "{\"exitCode\":1,\"finishedAt\":\"2026-11-26T00:04:30Z\"}}}]}}"))
        .startsWith("p", "0/1", "Init:CrashLoopBackOff", "4 (60s ago)");
    // a started, ready sidecar counts towards readiness; the first container's reason wins
    assertThat(
            podCells(
                "{\"metadata\":{},\"spec\":{\"initContainers\":[{\"name\":\"log\","
                    + "\"restartPolicy\":\"Always\"}],\"containers\":[{\"name\":\"a\"},"
                    + "{\"name\":\"b\"}]},\"status\":{\"phase\":\"Running\",\"conditions\":"
                    + "[{\"type\":\"Initialized\",\"status\":\"True\"}],\"initContainerStatuses\":"
                    + "[{\"name\":\"log\",\"started\":true,\"ready\":true,\"restartCount\":1,"
                    + "\"state\":{\"running\":{}}}],\"containerStatuses\":[{\"name\":\"a\","
                    + "\"state\":{\"waiting\":{\"reason\":\"ErrImagePull\"}}},{\"name\":\"b\","
                    + "\"state\":{\"terminated\":{\"exitCode\":137,\"signal\":9}}}]}}"))
        .startsWith("p", "1/3", "ErrImagePull", "1");
    // one container done, another still running: NotReady without the Ready condition
    assertThat(
            podCells(
                "{\"metadata\":{},\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"}]},"
                    + "\"status\":{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"a\","
                    + "\"state\":{\"terminated\":{\"exitCode\":0,\"reason\":\"Completed\"}}},"
                    + "{\"name\":\"b\",\"ready\":true,\"state\":{\"running\":{}}}]}}"))
        .startsWith("p", "1/2", "NotReady");
    // deleted on a lost node; a finished pod being deleted keeps its phase
    assertThat(
            podCells(
                "{\"metadata\":{\"deletionTimestamp\":\"2026-11-26T00:05:00Z\"},\"spec\":{},"
                    + "\"status\":{\"phase\":\"Running\",\"reason\":\"NodeLost\"}}"))
        .startsWith("p", "0/0", "Unknown");
    assertThat(
            podCells(
                "{\"metadata\":{\"deletionTimestamp\":\"2026-11-26T00:05:00Z\"},\"spec\":{},"
                    + "\"status\":{\"phase\":\"Succeeded\"}}"))
        .startsWith("p", "0/0", "Succeeded");
    assertThat(
            podCells(
                "{\"metadata\":{},\"spec\":{},\"status\":{\"phase\":\"Pending\",\"conditions\":"
                    + "[{\"type\":\"PodScheduled\",\"status\":\"False\",\"reason\":\"SchedulingGated\"}]}}"))
        .startsWith("p", "0/0", "SchedulingGated", "0", "5m30s", "<none>", "<none>");
  }

  @Test
  void eventsReadAsKubectlGetEventsShowsThem() throws Exception {
    JsonNode events =
        one(
            "events",
            "",
            object(
                "{\"metadata\":{\"name\":\"web.1\"},\"involvedObject\":{\"kind\":\"Pod\","
                    + "\"name\":\"web\",\"fieldPath\":\"spec.containers{web}\"},"
                    + "\"reason\":\"Pulled\",\"message\":\" Image pulled \\n\",\"type\":\"Normal\","
                    + "\"source\":{\"component\":\"kubelet\",\"host\":\"edge-1\"},"
                    + "\"firstTimestamp\":\"2026-11-26T00:01:30Z\","
                    + "\"lastTimestamp\":\"2026-11-26T00:05:00Z\",\"count\":4}"));
    assertThat(events.path("columnDefinitions").findValuesAsText("name"))
        .containsExactly(
            "Last Seen",
            "Type",
            "Reason",
            "Object",
            "Subobject",
            "Source",
            "Message",
            "First Seen",
            "Count",
            "Name");
    assertThat(events.path("columnDefinitions").get(9).path("format").asText()).isEqualTo("name");
    assertThat(events.path("columnDefinitions").get(9).path("priority").asInt()).isEqualTo(1);
    assertThat(cells(events, 0))
        .containsExactly(
            "30s",
            "Normal",
            "Pulled",
            "pod/web",
            "spec.containers{web}",
            "kubelet, edge-1",
            "Image pulled",
            "4m",
            "4",
            "web.1");
    // the new API's singleton: eventTime only, no count, reported by a controller
    JsonNode fresh =
        one(
            "events",
            "",
            object(
                "{\"metadata\":{\"name\":\"n.1\"},\"involvedObject\":{\"kind\":\"Node\"},"
                    + "\"eventTime\":\"2026-11-26T00:05:19.500000Z\",\"reportingController\":"
                    + "\"kube-proxy\",\"reportingInstance\":\"kube-proxy-edge-1\"}"));
    assertThat(cells(fresh, 0))
        .containsExactly(
            "10s", "", "", "node", "", "kube-proxy, kube-proxy-edge-1", "", "10s", "1", "n.1");
    // events.k8s.io: the same columns, read from its own fields; a series gives count and time
    JsonNode series =
        one(
            "events",
            "events.k8s.io",
            object(
                "{\"metadata\":{\"name\":\"p.2\"},\"regarding\":{\"kind\":\"Pod\","
                    + "\"name\":\"web\"},\"note\":\"Back-off\",\"reason\":\"BackOff\","
                    + "\"type\":\"Warning\",\"eventTime\":\"2026-11-26T00:00:00.000000Z\","
                    + "\"series\":{\"count\":7,\"lastObservedTime\":\"2026-11-26T00:05:29.000000Z\"},"
                    + "\"reportingController\":\"kubelet\",\"reportingInstance\":\"edge-1\"}"));
    assertThat(cells(series, 0))
        .containsExactly(
            "1s",
            "Warning",
            "BackOff",
            "pod/web",
            "",
            "kubelet, edge-1",
            "Back-off",
            "5m30s",
            "7",
            "p.2");
  }

  @Test
  void endpointsStorageAndRuntimeKindsGetKubeApiserversColumns() throws Exception {
    JsonNode endpoints =
        one(
            "endpoints",
            "",
            object(
                "{\"metadata\":{\"name\":\"web\"},\"subsets\":[{\"addresses\":["
                    + "{\"ip\":\"10.0.0.1\"},{\"ip\":\"fd00::2\"}],\"ports\":[{\"port\":80},"
                    + "{\"port\":443}]}]}"));
    assertThat(endpoints.path("columnDefinitions").findValuesAsText("name"))
        .containsExactly("Name", "Endpoints", "Age");
    assertThat(cells(endpoints, 0))
        .containsExactly("web", "10.0.0.1:80,[fd00::2]:80,10.0.0.1:443 + 1 more...", "5m30s");
    JsonNode headless =
        one(
            "endpoints",
            "",
            object(
                "{\"metadata\":{\"name\":\"db\"},\"subsets\":[{\"addresses\":["
                    + "{\"ip\":\"10.0.0.7\"}]}]}"));
    assertThat(cells(headless, 0)).containsExactly("db", "10.0.0.7", "5m30s");
    assertThat(cells(one("endpoints", "", object("{\"metadata\":{\"name\":\"e\"}}")), 0))
        .containsExactly("e", "<none>", "5m30s");

    JsonNode slices =
        one(
            "endpointslices",
            "discovery.k8s.io",
            object(
                "{\"metadata\":{\"name\":\"web-abc\"},\"addressType\":\"IPv4\","
                    + "\"ports\":[{\"name\":\"http\",\"port\":80},{\"name\":\"metrics\"},{}],"
                    + "\"endpoints\":[{\"addresses\":[\"10.0.0.1\"]},{\"addresses\":[\"10.0.0.2\"]}]}"));
    assertThat(slices.path("columnDefinitions").findValuesAsText("name"))
        .containsExactly("Name", "AddressType", "Ports", "Endpoints", "Age");
    assertThat(cells(slices, 0))
        .containsExactly("web-abc", "IPv4", "80,metrics,*", "10.0.0.1,10.0.0.2", "5m30s");
    assertThat(
            cells(
                one(
                    "endpointslices",
                    "discovery.k8s.io",
                    object("{\"metadata\":{\"name\":\"empty\"},\"addressType\":\"IPv6\"}")),
                0))
        .containsExactly("empty", "IPv6", "<unset>", "<unset>", "5m30s");

    JsonNode csiNodes =
        one(
            "csinodes",
            "storage.k8s.io",
            object(
                "{\"metadata\":{\"name\":\"edge-1\"},\"spec\":{\"drivers\":[{\"name\":\"a\"},"
                    + "{\"name\":\"b\"}]}}"));
    assertThat(cells(csiNodes, 0)).containsExactly("edge-1", "2", "5m30s");
    JsonNode csiDrivers =
        one(
            "csidrivers",
            "storage.k8s.io",
            object(
                "{\"metadata\":{\"name\":\"hostpath.csi.k8s.io\"},\"spec\":{"
                    + "\"podInfoOnMount\":true,\"volumeLifecycleModes\":[\"Persistent\",\"Ephemeral\"],"
                    + "\"tokenRequests\":[{\"audience\":\"vault\"},{\"audience\":\"gcp\"}]}}"));
    assertThat(csiDrivers.path("columnDefinitions").findValuesAsText("name"))
        .containsExactly(
            "Name",
            "AttachRequired",
            "PodInfoOnMount",
            "StorageCapacity",
            "TokenRequests",
            "RequiresRepublish",
            "Modes",
            "Age");
    assertThat(cells(csiDrivers, 0))
        .containsExactly(
            "hostpath.csi.k8s.io",
            "true",
            "true",
            "false",
            "vault,gcp",
            "false",
            "Persistent,Ephemeral",
            "5m30s");
    assertThat(csiDrivers.path("rows").get(0).path("cells").get(1).isBoolean()).isTrue();
    assertThat(
            cells(
                one(
                    "csidrivers",
                    "storage.k8s.io",
                    object("{\"metadata\":{\"name\":\"d\"},\"spec\":{}}")),
                0))
        .containsExactly("d", "true", "false", "false", "<unset>", "false", "<none>", "5m30s");
    JsonNode runtimeClasses =
        one(
            "runtimeclasses",
            "node.k8s.io",
            object("{\"metadata\":{\"name\":\"gvisor\"},\"handler\":\"runsc\"}"));
    assertThat(cells(runtimeClasses, 0)).containsExactly("gvisor", "runsc", "5m30s");
  }

  @Test
  void volumesGetKubeApiserversColumns() throws Exception {
    JsonNode volumes =
        one(
            "persistentvolumes",
            "",
            object(
                "{\"metadata\":{\"name\":\"pv-data\"},\"spec\":{\"capacity\":{\"storage\":"
                    + "\"1024Mi\"},\"accessModes\":[\"ReadWriteOncePod\",\"ReadWriteOnce\","
                    + "\"ReadWriteOnce\"],\"persistentVolumeReclaimPolicy\":\"Retain\","
                    + "\"claimRef\":{\"namespace\":\"shop\",\"name\":\"data\"},"
                    + "\"storageClassName\":\"local\",\"volumeMode\":\"Filesystem\"},"
                    + "\"status\":{\"phase\":\"Bound\"}}"));
    assertThat(volumes.path("columnDefinitions").findValuesAsText("name"))
        .containsExactly(
            "Name",
            "Capacity",
            "Access Modes",
            "Reclaim Policy",
            "Status",
            "Claim",
            "StorageClass",
            "VolumeAttributesClass",
            "Reason",
            "Age",
            "VolumeMode");
    assertThat(cells(volumes, 0))
        .containsExactly(
            "pv-data",
            "1Gi",
            "RWO,RWOP",
            "Retain",
            "Bound",
            "shop/data",
            "local",
            "<unset>",
            "",
            "5m30s",
            "Filesystem");
    ObjectNode released =
        object(
            "{\"metadata\":{\"name\":\"old\",\"deletionTimestamp\":\"2026-11-26T00:05:00Z\","
                + "\"annotations\":{\"volume.beta.kubernetes.io/storage-class\":\"slow\"}},"
                + "\"spec\":{\"storageClassName\":\"fast\"},\"status\":{\"phase\":\"Released\"}}");
    assertThat(cells(one("persistentvolumes", "", released), 0))
        .containsExactly(
            "old", "0", "", "", "Terminating", "", "slow", "<unset>", "", "5m30s", "<unset>");

    JsonNode bound =
        one(
            "persistentvolumeclaims",
            "",
            object(
                "{\"metadata\":{\"name\":\"data\"},\"spec\":{\"volumeName\":\"pv-data\","
                    + "\"resources\":{\"requests\":{\"storage\":\"500Mi\"}},"
                    + "\"storageClassName\":\"local\",\"volumeAttributesClassName\":\"gold\"},"
                    + "\"status\":{\"phase\":\"Bound\",\"capacity\":{\"storage\":\"1.5Gi\"},"
                    + "\"accessModes\":[\"ReadWriteMany\",\"ReadOnlyMany\"]}}"));
    assertThat(bound.path("columnDefinitions").findValuesAsText("name"))
        .containsExactly(
            "Name",
            "Status",
            "Volume",
            "Capacity",
            "Access Modes",
            "StorageClass",
            "VolumeAttributesClass",
            "Age",
            "VolumeMode");
    assertThat(cells(bound, 0))
        .containsExactly(
            "data", "Bound", "pv-data", "1536Mi", "ROX,RWX", "local", "gold", "5m30s", "<unset>");
    JsonNode pending =
        one(
            "persistentvolumeclaims",
            "",
            object(
                "{\"metadata\":{\"name\":\"wait\"},\"spec\":{\"resources\":{\"requests\":"
                    + "{\"storage\":\"1Gi\"}},\"volumeMode\":\"Block\"},"
                    + "\"status\":{\"phase\":\"Pending\"}}"));
    assertThat(cells(pending, 0))
        .as("no capacity or access modes before the claim is bound")
        .containsExactly("wait", "Pending", "", "", "", "", "<unset>", "5m30s", "Block");

    JsonNode attachments =
        one(
            "volumeattachments",
            "storage.k8s.io",
            object(
                "{\"metadata\":{\"name\":\"csi-0a1b\"},\"spec\":{\"attacher\":"
                    + "\"ebs.csi.aws.com\",\"nodeName\":\"edge-1\",\"source\":"
                    + "{\"persistentVolumeName\":\"pv-data\"}},\"status\":{\"attached\":true}}"));
    assertThat(attachments.path("columnDefinitions").findValuesAsText("name"))
        .containsExactly("Name", "Attacher", "PV", "Node", "Attached", "Age");
    assertThat(cells(attachments, 0))
        .containsExactly("csi-0a1b", "ebs.csi.aws.com", "pv-data", "edge-1", "true", "5m30s");
    assertThat(attachments.path("rows").get(0).path("cells").get(4).isBoolean()).isTrue();
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
