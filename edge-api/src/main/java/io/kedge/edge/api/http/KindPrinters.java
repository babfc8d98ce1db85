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

    /** Adds the object's cells after its name; {@code age} renders a creation timestamp. */
    void cells(JsonNode object, ArrayNode cells, Function<String, String> age);
  }

  private static final Column AGE =
      new Column("Age", 0, "CreationTimestamp is when the object was created.");

  private static final Map<String, Printer> PRINTERS =
      Map.of(
          "/Pod", new PodPrinter(),
          "/Node", new NodePrinter(),
          "/ConfigMap",
              printer(
                  List.of(column("Data", "Data of the ConfigMap."), AGE),
                  (o, cells, age) -> {
                    cells.add(o.path("data").size() + o.path("binaryData").size());
                    cells.add(age.apply(created(o)));
                  }),
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
                  }),
          "/Namespace",
              printer(
                  List.of(column("Status", "The status of the namespace"), AGE),
                  (o, cells, age) -> {
                    cells.add(o.path("status").path("phase").asText(""));
                    cells.add(age.apply(created(o)));
                  }),
          "/ServiceAccount",
              printer(
                  List.of(column("Secrets", "Secrets of the ServiceAccount."), AGE),
                  (o, cells, age) -> {
                    cells.add(o.path("secrets").size());
                    cells.add(age.apply(created(o)));
                  }),
          "coordination.k8s.io/Lease",
              printer(
                  List.of(
                      column("Holder", "The identity of the holder of the current lease."), AGE),
                  (o, cells, age) -> {
                    cells.add(o.path("spec").path("holderIdentity").asText(""));
                    cells.add(age.apply(created(o)));
                  }),
          "/Service", new ServicePrinter());

  private KindPrinters() {}

  /** The printer of {@code type}, or null where kube-apiserver's default columns apply. */
  static Printer of(ResourceType type) {
    return PRINTERS.get(type.group() + "/" + type.kind());
  }

  private static Column column(String name, String description) {
    return new Column(name, 0, description);
  }

  private interface Cells {
    void add(JsonNode object, ArrayNode cells, Function<String, String> age);
  }

  private static Printer printer(List<Column> columns, Cells cells) {
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

  private static String created(JsonNode object) {
    return object.path("metadata").path("creationTimestamp").asText("");
  }

  private static String orNone(String value) {
    return value.isEmpty() ? "<none>" : value;
  }

  /** kubectl's pod columns: readiness, the status reason, restarts, and where it runs. */
  private static final class PodPrinter implements Printer {
    @Override
    public List<Column> columns() {
      return List.of(
          new Column("Ready", 0, "The aggregate readiness state of this pod."),
          new Column("Status", 0, "The aggregate status of the containers."),
          new Column("Restarts", 0, "The number of container restarts."),
          AGE,
          new Column("IP", 1, "IP address allocated to the pod."),
          new Column("Node", 1, "Name of the node the pod is bound to."),
          new Column("Nominated Node", 1, "The node nominated by the scheduler."),
          new Column("Readiness Gates", 1, "Readiness gates met / declared."));
    }

    @Override
    public void cells(JsonNode pod, ArrayNode cells, Function<String, String> age) {
      JsonNode spec = pod.path("spec");
      JsonNode status = pod.path("status");
      int containers = spec.path("containers").size();
      int ready = 0;
      long restarts = 0;
      String reason = status.path("reason").asText(status.path("phase").asText(""));
      for (JsonNode container : status.path("containerStatuses")) {
        restarts += container.path("restartCount").asLong();
        JsonNode state = container.path("state");
        if (state.path("waiting").hasNonNull("reason")) {
          reason = state.path("waiting").path("reason").asText();
        } else if (state.path("terminated").hasNonNull("reason")) {
          reason = state.path("terminated").path("reason").asText();
        } else if (state.has("terminated")) {
          int exit = state.path("terminated").path("exitCode").asInt();
          reason =
              state.path("terminated").hasNonNull("signal")
                  ? "Signal:" + state.path("terminated").path("signal").asInt()
                  : "ExitCode:" + exit;
        } else if (container.path("ready").asBoolean() && state.has("running")) {
          ready++;
        }
      }
      if (pod.path("metadata").hasNonNull("deletionTimestamp")) {
        reason = "Terminating";
      }
      int gates = spec.path("readinessGates").size();
      cells.add(ready + "/" + containers);
      cells.add(reason);
      cells.add(Long.toString(restarts));
      cells.add(age.apply(created(pod)));
      cells.add(status.path("podIP").asText("<none>"));
      cells.add(spec.path("nodeName").asText("<none>"));
      cells.add(status.path("nominatedNodeName").asText("<none>"));
      cells.add(gates == 0 ? "<none>" : metGates(pod) + "/" + gates);
    }

    private static int metGates(JsonNode pod) {
      int met = 0;
      for (JsonNode gate : pod.path("spec").path("readinessGates")) {
        String conditionType = gate.path("conditionType").asText();
        for (JsonNode condition : pod.path("status").path("conditions")) {
          if (condition.path("type").asText().equals(conditionType)
              && condition.path("status").asText().equals("True")) {
            met++;
          }
        }
      }
      return met;
    }
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
