package io.kedge.kube.objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The defaults kube-apiserver gives Services, EndpointSlices and Endpoints on every write, where
 * they are left out. kube-proxy relies on them: it writes a port's protocol into its rules and
 * ignores an endpoint port without one.
 */
final class ServiceDefaults {
  private ServiceDefaults() {}

  static void service(ObjectNode service) {
    if (!service.path("spec").isObject()) {
      return;
    }
    ObjectNode spec = (ObjectNode) service.get("spec");
    ObjectDefaults.putIfAbsent(spec, "type", "ClusterIP");
    ObjectDefaults.putIfAbsent(spec, "sessionAffinity", "None");
    String type = spec.path("type").asText();
    if (spec.path("sessionAffinity").asText().equals("ClientIP")
        && spec.at("/sessionAffinityConfig/clientIP/timeoutSeconds").asInt(0) == 0) {
      spec.withObject("sessionAffinityConfig").withObject("clientIP").put("timeoutSeconds", 10800);
    }
    boolean external = type.equals("NodePort") || type.equals("LoadBalancer");
    if (external) {
      ObjectDefaults.putIfAbsent(spec, "externalTrafficPolicy", "Cluster");
    }
    if (external || type.equals("ClusterIP")) {
      ObjectDefaults.putIfAbsent(spec, "internalTrafficPolicy", "Cluster");
    }
    if (type.equals("LoadBalancer") && !spec.has("allocateLoadBalancerNodePorts")) {
      spec.put("allocateLoadBalancerNodePorts", true);
    }
    for (JsonNode port : spec.path("ports")) {
      if (port.isObject()) {
        ObjectNode p = (ObjectNode) port;
        ObjectDefaults.putIfAbsent(p, "protocol", "TCP");
        JsonNode target = p.path("targetPort");
        if ((target.isMissingNode()
                || target.isNull()
                || target.asText("").equals("0")
                || target.asText("").isEmpty())
            && p.has("port")) {
          p.set("targetPort", p.get("port"));
        }
      }
    }
  }

  /** A discovery.k8s.io EndpointSlice: each port's protocol and name. */
  static void endpointSlice(ObjectNode slice) {
    for (JsonNode port : slice.path("ports")) {
      if (port.isObject()) {
        ObjectDefaults.putIfAbsent((ObjectNode) port, "protocol", "TCP");
        if (!port.has("name")) {
          ((ObjectNode) port).put("name", "");
        }
      }
    }
  }

  /** Core Endpoints: each subset's ports' protocol. */
  static void endpoints(ObjectNode endpoints) {
    for (JsonNode subset : endpoints.path("subsets")) {
      for (JsonNode port : subset.path("ports")) {
        if (port.isObject()) {
          ObjectDefaults.putIfAbsent((ObjectNode) port, "protocol", "TCP");
        }
      }
    }
  }
}
