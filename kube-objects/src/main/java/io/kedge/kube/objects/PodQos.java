package io.kedge.kube.objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;

/**
 * What kube-apiserver gives a new Pod's status: phase {@code Pending} and its QoS class, as
 * Kubernetes computes it from the containers' CPU and memory requests and limits (a container's
 * missing requests default to its limits, as the API server defaults them before): BestEffort
 * without any, Guaranteed when every container limits both and the requests equal the limits,
 * Burstable otherwise.
 */
public final class PodQos {
  private static final String[] COMPUTE = {"cpu", "memory"};

  private PodQos() {}

  /** Sets a new Pod's phase and QoS class, where its status does not already say them. */
  public static void fillNewPodStatus(ObjectNode pod) {
    ObjectNode status = pod.withObject("status");
    if (status.path("phase").asText("").isEmpty()) {
      status.put("phase", "Pending");
    }
    if (status.path("qosClass").asText("").isEmpty()) {
      status.put("qosClass", qosClass(pod));
    }
  }

  /** {@code BestEffort}, {@code Burstable} or {@code Guaranteed}. */
  public static String qosClass(JsonNode pod) {
    JsonNode spec = pod.path("spec");
    Map<String, BigDecimal> requests = new HashMap<>();
    Map<String, BigDecimal> limits = new HashMap<>();
    boolean guaranteed = true;
    if (spec.path("resources").isObject()) { // pod-level resources decide alone
      guaranteed = add(spec.path("resources"), requests, limits);
    } else {
      for (String list : new String[] {"containers", "initContainers"}) {
        for (JsonNode container : spec.path(list)) {
          guaranteed &= add(container.path("resources"), requests, limits);
        }
      }
    }
    if (requests.isEmpty() && limits.isEmpty()) {
      return "BestEffort";
    }
    if (guaranteed && requests.keySet().equals(limits.keySet())) {
      for (Map.Entry<String, BigDecimal> request : requests.entrySet()) {
        if (request.getValue().compareTo(limits.get(request.getKey())) != 0) {
          return "Burstable";
        }
      }
      return "Guaranteed";
    }
    return "Burstable";
  }

  /**
   * Adds one set of resources' positive CPU and memory requests and limits; returns whether it
   * limits both.
   */
  private static boolean add(
      JsonNode resources, Map<String, BigDecimal> requests, Map<String, BigDecimal> limits) {
    int limited = 0;
    for (String name : COMPUTE) {
      BigDecimal limit = Quantities.parse(resources.path("limits").path(name).asText(""));
      BigDecimal request = Quantities.parse(resources.path("requests").path(name).asText(""));
      if (request == null) {
        request = limit; // the API server defaults a missing request to the limit
      }
      if (request != null && request.signum() > 0) {
        requests.merge(name, request, BigDecimal::add);
      }
      if (limit != null && limit.signum() > 0) {
        limits.merge(name, limit, BigDecimal::add);
        limited++;
      }
    }
    return limited == COMPUTE.length;
  }
}
