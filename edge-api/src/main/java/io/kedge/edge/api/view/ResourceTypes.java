package io.kedge.edge.api.view;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kinds the edge API knows: the built-in ones kedge routes to edges, plus CRDs that arrive as
 * {@code CustomResourceDefinition} objects. Discovery and routing read it; kinds come from here,
 * never from guessing at plurals.
 */
public final class ResourceTypes {
  private final Map<String, ResourceType> byGvr = new ConcurrentHashMap<>();
  private final Map<String, ResourceType> byGvk = new ConcurrentHashMap<>();

  /** The built-in kinds: core workloads, discovery, coordination and KubeEdge's CRDs. */
  public static ResourceTypes builtIn() {
    ResourceTypes types = new ResourceTypes();
    // "all" holds what kube-apiserver puts there, as far as the edge serves it
    types.add(
        new ResourceType("", "v1", "Pod", "pods", true, List.of("po"), List.of("all"), List.of()));
    types.add(new ResourceType("", "v1", "ConfigMap", "configmaps", true, List.of("cm")));
    types.add(new ResourceType("", "v1", "Secret", "secrets", true, List.of()));
    types.add(
        new ResourceType(
            "", "v1", "Service", "services", true, List.of("svc"), List.of("all"), List.of()));
    types.add(new ResourceType("", "v1", "Endpoints", "endpoints", true, List.of("ep")));
    types.add(new ResourceType("", "v1", "Event", "events", true, List.of("ev")));
    types.add(new ResourceType("", "v1", "Node", "nodes", false, List.of("no")));
    types.add(new ResourceType("", "v1", "Namespace", "namespaces", false, List.of("ns")));
    // what a kubelet reads to mount a pod's persistent volumes
    types.add(
        new ResourceType(
            "", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, List.of("pvc")));
    types.add(
        new ResourceType("", "v1", "PersistentVolume", "persistentvolumes", false, List.of("pv")));
    // a kubelet asks for its pods' tokens through serviceaccounts/<name>/token
    types.add(new ResourceType("", "v1", "ServiceAccount", "serviceaccounts", true, List.of("sa")));
    types.add(
        new ResourceType(
            "discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true, List.of()));
    types.add(new ResourceType("coordination.k8s.io", "v1", "Lease", "leases", true, List.of()));
    // what node agents (kubelet, kube-proxy, CSI node plugins) read and write
    types.add(new ResourceType("events.k8s.io", "v1", "Event", "events", true, List.of("ev")));
    types.add(
        new ResourceType("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", false, List.of()));
    types.add(
        new ResourceType("storage.k8s.io", "v1", "CSIDriver", "csidrivers", false, List.of()));
    types.add(new ResourceType("storage.k8s.io", "v1", "CSINode", "csinodes", false, List.of()));
    types.add(
        new ResourceType(
            "storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", false, List.of()));
    types.add(
        new ResourceType(
            "apiextensions.k8s.io",
            "v1",
            "CustomResourceDefinition",
            "customresourcedefinitions",
            false,
            List.of("crd", "crds")));
    types.add(
        new ResourceType("devices.kubeedge.io", "v1alpha2", "Device", "devices", true, List.of()));
    types.add(
        new ResourceType(
            "devices.kubeedge.io", "v1alpha2", "DeviceModel", "devicemodels", true, List.of()));
    types.add(new ResourceType("rules.kubeedge.io", "v1", "Rule", "rules", true, List.of()));
    types.add(
        new ResourceType(
            "rules.kubeedge.io", "v1", "RuleEndpoint", "ruleendpoints", true, List.of()));
    return types;
  }

  public void add(ResourceType type) {
    byGvr.put(type.gvr(), type);
    byGvk.put(type.group() + "/" + type.version() + "/" + type.kind(), type);
  }

  /**
   * Registers the served versions of a {@code CustomResourceDefinition} object.
   *
   * @return the types it added (empty for a malformed CRD, which is then simply not served)
   */
  public List<ResourceType> addCrd(JsonNode crd) {
    JsonNode spec = crd.path("spec");
    String group = spec.path("group").asText("");
    JsonNode names = spec.path("names");
    String kind = names.path("kind").asText("");
    String plural = names.path("plural").asText("");
    boolean namespaced = !"Cluster".equals(spec.path("scope").asText("Namespaced"));
    List<String> shortNames = new ArrayList<>();
    names.path("shortNames").forEach(n -> shortNames.add(n.asText()));
    List<String> categories = new ArrayList<>();
    names.path("categories").forEach(n -> categories.add(n.asText()));
    List<ResourceType> added = new ArrayList<>();
    if (group.isEmpty() || kind.isEmpty() || plural.isEmpty()) {
      return added;
    }
    for (JsonNode version : spec.path("versions")) {
      if (version.path("served").asBoolean(true) && !version.path("name").asText("").isEmpty()) {
        ResourceType type =
            new ResourceType(
                group,
                version.path("name").asText(),
                kind,
                plural,
                namespaced,
                shortNames,
                categories,
                printerColumns(version.path("additionalPrinterColumns")));
        add(type);
        added.add(type);
      }
    }
    return added;
  }

  private static List<ResourceType.PrinterColumn> printerColumns(JsonNode columns) {
    List<ResourceType.PrinterColumn> parsed = new ArrayList<>();
    for (JsonNode column : columns) {
      String name = column.path("name").asText("");
      String path = column.path("jsonPath").asText("");
      if (!name.isEmpty() && !path.isEmpty()) {
        parsed.add(
            new ResourceType.PrinterColumn(
                name,
                column.path("type").asText("string"),
                column.path("format").asText(""),
                column.path("description").asText(""),
                column.path("priority").asInt(0),
                path));
      }
    }
    return parsed;
  }

  public Optional<ResourceType> byResource(String group, String version, String plural) {
    return Optional.ofNullable(byGvr.get(group + "/" + version + "/" + plural));
  }

  public Optional<ResourceType> byKind(String group, String version, String kind) {
    return Optional.ofNullable(byGvk.get(group + "/" + version + "/" + kind));
  }

  public Collection<ResourceType> all() {
    return List.copyOf(byGvr.values());
  }
}
