package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.kedge.edge.api.view.ResourceType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * kube-apiserver's table printers for the built-in kinds an edge node holds: the columns {@code
 * kubectl get} shows after Name, and each row's cells, as kube-apiserver's printers make them
 * (server side, so with the {@code -o wide} columns, which kubectl hides unless asked). Cells are
 * strings except where kube-apiserver sends numbers (the data counts).
 */
final class KindPrinters {
  /** A column after Name; priority 1 is shown by {@code -o wide} only. */
  record Column(String name, int priority, String description) {}

  /** One kind's columns and how a row fills them. */
  interface Printer {
    List<Column> columns();

    /**
     * Adds the object's cells (after its name when {@link #namedFirst}); {@code age} renders a
     * timestamp as an age.
     */
    void cells(JsonNode object, ArrayNode cells, Function<String, String> age);

    /** Whether the Name column comes first, as for every kind but Events. */
    default boolean namedFirst() {
      return true;
    }
  }

  static final Column AGE =
      new Column("Age", 0, "CreationTimestamp is when the object was created.");

  private static final Map<String, Printer> PRINTERS =
      Map.ofEntries(
          Map.entry("/Pod", new PodPrinter()),
          Map.entry("/Node", new NodePrinter()),
          Map.entry("/Event", EventPrinter.core()),
          Map.entry("events.k8s.io/Event", EventPrinter.eventsK8sIo()),
          Map.entry("/Endpoints", EndpointsPrinters.endpoints()),
          Map.entry("discovery.k8s.io/EndpointSlice", EndpointsPrinters.endpointSlices()),
          Map.entry("storage.k8s.io/CSINode", csiNodes()),
          Map.entry("/PersistentVolume", VolumePrinters.persistentVolumes()),
          Map.entry("/PersistentVolumeClaim", VolumePrinters.persistentVolumeClaims()),
          Map.entry("storage.k8s.io/VolumeAttachment", VolumePrinters.volumeAttachments()),
          Map.entry("storage.k8s.io/CSIDriver", csiDrivers()),
          Map.entry(
              "node.k8s.io/RuntimeClass",
              printer(
                  List.of(
                      column("Handler", "The name of the CRI handler (RuntimeClass handler)."),
                      AGE),
                  (o, cells, age) -> {
                    cells.add(o.path("handler").asText(""));
                    cells.add(age.apply(created(o)));
                  })),
          Map.entry(
              "/ConfigMap",
              printer(
                  List.of(column("Data", "Data of the ConfigMap."), AGE),
                  (o, cells, age) -> {
                    cells.add(o.path("data").size() + o.path("binaryData").size());
                    cells.add(age.apply(created(o)));
                  })),
          Map.entry(
              "/Secret",
              printer(
                  List.of(
                      column("Type", "Used to facilitate programmatic handling of secret data."),
                      column("Data", "Data of the Secret."),
                      AGE),
                  (o, cells, age) -> {
                    cells.add(o.path("type").asText(""));
                    cells.add(o.path("data").size());
                    cells.add(age.apply(created(o)));
                  })),
          Map.entry(
              "/Namespace",
              printer(
                  List.of(column("Status", "The status of the namespace"), AGE),
                  (o, cells, age) -> {
                    cells.add(o.path("status").path("phase").asText(""));
                    cells.add(age.apply(created(o)));
                  })),
          Map.entry(
              "/ServiceAccount",
              printer(
                  List.of(column("Secrets", "Secrets of the ServiceAccount."), AGE),
                  (o, cells, age) -> {
                    cells.add(o.path("secrets").size());
                    cells.add(age.apply(created(o)));
                  })),
          Map.entry(
              "coordination.k8s.io/Lease",
              printer(
                  List.of(
                      column("Holder", "The identity of the holder of the current lease."), AGE),
                  (o, cells, age) -> {
                    cells.add(o.path("spec").path("holderIdentity").asText(""));
                    cells.add(age.apply(created(o)));
                  })),
          Map.entry("/Service", new ServicePrinter()));

  private KindPrinters() {}

  /** The printer of {@code type}, or null where kube-apiserver's default columns apply. */
  static Printer of(ResourceType type) {
    return PRINTERS.get(type.group() + "/" + type.kind());
  }

  private static Column column(String name, String description) {
    return new Column(name, 0, description);
  }

  interface Cells {
    void add(JsonNode object, ArrayNode cells, Function<String, String> age);
  }

  static Printer printer(List<Column> columns, Cells cells) {
    return new Printer() {
      @Override
      public List<Column> columns() {
        return columns;
      }

      @Override
      public void cells(JsonNode object, ArrayNode row, Function<String, String> age) {
        cells.add(object, row, age);
      }
    };
  }

  static String created(JsonNode object) {
    return object.path("metadata").path("creationTimestamp").asText("");
  }

  /** CSINodes: how many CSI drivers registered on the node. */
  private static Printer csiNodes() {
    return printer(
        List.of(
            column("Drivers", "Drivers indicates the number of CSI drivers registered on the node"),
            AGE),
        (o, cells, age) -> {
          cells.add(o.path("spec").path("drivers").size());
          cells.add(age.apply(created(o)));
        });
  }

  /** CSIDrivers: their flags with Kubernetes' defaults, token audiences and lifecycle modes. */
  private static Printer csiDrivers() {
    return printer(
        List.of(
            column(
                "AttachRequired",
                "attachRequired indicates this CSI volume driver requires an attach operation."),
            column(
                "PodInfoOnMount",
                "podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations."),
            column(
                "StorageCapacity",
                "storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report."),
            column(
                "TokenRequests",
                "tokenRequests indicates the CSI driver needs pods' service account tokens it is mounting volume for to do necessary authentication."),
            column(
                "RequiresRepublish",
                "requiresRepublish indicates the CSI driver wants NodePublishVolume being periodically called to reflect any possible change in the mounted volume."),
            column(
                "Modes",
                "volumeLifecycleModes defines what kind of volumes this CSI volume driver supports."),
            AGE),
        (o, cells, age) -> {
          JsonNode spec = o.path("spec");
          cells.add(spec.path("attachRequired").asBoolean(true));
          cells.add(spec.path("podInfoOnMount").asBoolean(false));
          cells.add(spec.path("storageCapacity").asBoolean(false));
          List<String> audiences = new ArrayList<>();
          spec.path("tokenRequests").forEach(t -> audiences.add(t.path("audience").asText("")));
          cells.add(spec.path("tokenRequests").isArray() ? String.join(",", audiences) : "<unset>");
          cells.add(spec.path("requiresRepublish").asBoolean(false));
          List<String> modes = new ArrayList<>();
          spec.path("volumeLifecycleModes").forEach(m -> modes.add(m.asText()));
          cells.add(modes.isEmpty() ? "<none>" : String.join(",", modes));
          cells.add(age.apply(created(o)));
        });
  }

  private static String orNone(String value) {
    return value.isEmpty() ? "<none>" : value;
  }

  /** Ready or NotReady (Unknown without the condition), roles from labels, kubelet version. */
  private static final class NodePrinter implements Printer {
    private static final String ROLE_PREFIX = "node-role.kubernetes.io/";

    @Override
    public List<Column> columns() {
      return List.of(
          new Column("Status", 0, "The status of the node"),
          new Column("Roles", 0, "The roles of the node"),
          AGE,
          new Column("Version", 0, "Kubelet Version reported by the node."),
          new Column("Internal-IP", 1, "List of addresses reachable to the node."),
          new Column("External-IP", 1, "List of addresses reachable to the node."),
          new Column("OS-Image", 1, "OS Image reported by the node from /etc/os-release."),
          new Column("Kernel-Version", 1, "Kernel Version reported by the node."),
          new Column("Container-Runtime", 1, "ContainerRuntime Version reported by the node."));
    }

    @Override
    public void cells(JsonNode node, ArrayNode cells, Function<String, String> age) {
      List<String> status = new ArrayList<>();
      for (JsonNode condition : node.path("status").path("conditions")) {
        if (condition.path("type").asText().equals("Ready")) {
          status.add(condition.path("status").asText().equals("True") ? "Ready" : "NotReady");
        }
      }
      if (status.isEmpty()) {
        status.add("Unknown");
      }
      if (node.path("spec").path("unschedulable").asBoolean()) {
        status.add("SchedulingDisabled");
      }
      TreeSet<String> roles = new TreeSet<>();
      node.path("metadata")
          .path("labels")
          .properties()
          .forEach(
              label -> {
                String key = label.getKey();
                if (key.startsWith(ROLE_PREFIX) && key.length() > ROLE_PREFIX.length()) {
                  roles.add(key.substring(ROLE_PREFIX.length()));
                } else if (key.equals("kubernetes.io/role")
                    && !label.getValue().asText().isEmpty()) {
                  roles.add(label.getValue().asText());
                }
              });
      JsonNode info = node.path("status").path("nodeInfo");
      cells.add(String.join(",", status));
      cells.add(roles.isEmpty() ? "<none>" : String.join(",", roles));
      cells.add(age.apply(created(node)));
      cells.add(info.path("kubeletVersion").asText(""));
      cells.add(address(node, "InternalIP"));
      cells.add(address(node, "ExternalIP"));
      cells.add(unknownIfEmpty(info.path("osImage").asText("")));
      cells.add(unknownIfEmpty(info.path("kernelVersion").asText("")));
      cells.add(unknownIfEmpty(info.path("containerRuntimeVersion").asText("")));
    }

    private static String address(JsonNode node, String type) {
      for (JsonNode address : node.path("status").path("addresses")) {
        if (address.path("type").asText().equals(type)) {
          return address.path("address").asText();
        }
      }
      return "<none>";
    }

    private static String unknownIfEmpty(String value) {
      return value.isEmpty() ? "<unknown>" : value;
    }
  }

  /** Type, cluster IP, external IPs by service type, ports as port[:nodePort]/protocol. */
  private static final class ServicePrinter implements Printer {
    @Override
    public List<Column> columns() {
      return List.of(
          new Column("Type", 0, "The type of the service."),
          new Column("Cluster-IP", 0, "The cluster IP of the service."),
          new Column("External-IP", 0, "The external IPs of the service."),
          new Column("Port(s)", 0, "The ports of the service."),
          AGE,
          new Column("Selector", 1, "Route service traffic to pods with these labels."));
    }

    @Override
    public void cells(JsonNode service, ArrayNode cells, Function<String, String> age) {
      JsonNode spec = service.path("spec");
      String clusterIp =
          spec.path("clusterIPs").size() > 0
              ? spec.path("clusterIPs").get(0).asText()
              : spec.path("clusterIP").asText("<none>");
      List<String> ports = new ArrayList<>();
      for (JsonNode port : spec.path("ports")) {
        String protocol = port.path("protocol").asText("TCP");
        ports.add(
            port.path("nodePort").asInt() > 0
                ? port.path("port").asInt() + ":" + port.path("nodePort").asInt() + "/" + protocol
                : port.path("port").asInt() + "/" + protocol);
      }
      Map<String, String> selector = new TreeMap<>();
      spec.path("selector")
          .properties()
          .forEach(e -> selector.put(e.getKey(), e.getValue().asText()));
      List<String> pairs = new ArrayList<>();
      selector.forEach((k, v) -> pairs.add(k + "=" + v));
      cells.add(spec.path("type").asText("ClusterIP"));
      cells.add(clusterIp.isEmpty() ? "<none>" : clusterIp);
      cells.add(externalIps(service));
      cells.add(ports.isEmpty() ? "<none>" : String.join(",", ports));
      cells.add(age.apply(created(service)));
      cells.add(orNone(String.join(",", pairs)));
    }

    private static String externalIps(JsonNode service) {
      JsonNode spec = service.path("spec");
      List<String> external = new ArrayList<>();
      spec.path("externalIPs").forEach(ip -> external.add(ip.asText()));
      switch (spec.path("type").asText("ClusterIP")) {
        case "LoadBalancer" -> {
          List<String> ips = new ArrayList<>();
          for (JsonNode ingress : service.path("status").path("loadBalancer").path("ingress")) {
            ips.add(
                ingress.hasNonNull("ip")
                    ? ingress.path("ip").asText()
                    : ingress.path("hostname").asText());
          }
          ips.addAll(external);
          return ips.isEmpty() ? "<pending>" : String.join(",", ips);
        }
        case "ExternalName" -> {
          return spec.path("externalName").asText("");
        }
        default -> {
          return external.isEmpty() ? "<none>" : String.join(",", external);
        }
      }
    }
  }
}
