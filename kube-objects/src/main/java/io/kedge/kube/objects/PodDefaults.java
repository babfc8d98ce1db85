package io.kedge.kube.objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * The defaults kube-apiserver gives a Pod's spec on every write (the {@code core/v1} defaulting
 * functions), where the spec leaves them out. A kubelet relies on them: it dereferences {@code
 * enableServiceLinks}, treats a missing {@code imagePullPolicy} as {@code Never}, refuses a
 * ConfigMap or Secret volume without a {@code defaultMode}, a downward API field without its {@code
 * apiVersion}, and cannot tick a probe with a period of 0.
 */
final class PodDefaults {
  private static final int DEFAULT_MODE = 0644;
  private static final String[] CONTAINER_LISTS = {
    "containers", "initContainers", "ephemeralContainers"
  };
  private static final String[] MODE_SOURCES = {"secret", "configMap", "downwardAPI", "projected"};
  private static final String[] PROBES = {"livenessProbe", "readinessProbe", "startupProbe"};

  private PodDefaults() {}

  /** Fills the defaults {@code pod}'s spec leaves out; what it sets is kept. */
  static void fill(ObjectNode pod) {
    if (!pod.path("spec").isObject()) {
      return;
    }
    ObjectNode spec = (ObjectNode) pod.get("spec");
    ObjectDefaults.putIfAbsent(spec, "restartPolicy", "Always");
    ObjectDefaults.putIfAbsent(spec, "dnsPolicy", "ClusterFirst");
    ObjectDefaults.putIfAbsent(spec, "schedulerName", "default-scheduler");
    if (!spec.has("terminationGracePeriodSeconds")) {
      spec.put("terminationGracePeriodSeconds", 30);
    }
    if (!spec.has("enableServiceLinks")) {
      spec.put("enableServiceLinks", true);
    }
    if (!spec.path("securityContext").isObject()) {
      spec.putObject("securityContext");
    }
    boolean hostNetwork = spec.path("hostNetwork").asBoolean(false);
    for (String list : CONTAINER_LISTS) {
      for (JsonNode container : spec.path(list)) {
        if (container.isObject()) {
          container((ObjectNode) container, hostNetwork, !list.equals("ephemeralContainers"));
        }
      }
    }
    for (JsonNode volume : spec.path("volumes")) {
      if (volume.isObject()) {
        volume((ObjectNode) volume);
      }
    }
  }

  private static void container(ObjectNode container, boolean hostNetwork, boolean resources) {
    ObjectDefaults.putIfAbsent(
        container, "imagePullPolicy", pullPolicy(container.path("image").asText("")));
    ObjectDefaults.putIfAbsent(container, "terminationMessagePath", "/dev/termination-log");
    ObjectDefaults.putIfAbsent(container, "terminationMessagePolicy", "File");
    for (JsonNode port : container.path("ports")) {
      if (port.isObject()) {
        ObjectNode p = (ObjectNode) port;
        ObjectDefaults.putIfAbsent(p, "protocol", "TCP");
        if (hostNetwork && p.path("hostPort").asInt(0) == 0 && p.has("containerPort")) {
          p.set("hostPort", p.get("containerPort"));
        }
      }
    }
    for (JsonNode env : container.path("env")) {
      fieldRef(env.path("valueFrom").path("fieldRef"));
    }
    for (String probe : PROBES) {
      if (container.path(probe).isObject()) {
        probe((ObjectNode) container.get(probe));
      }
    }
    for (String hook : new String[] {"postStart", "preStop"}) {
      httpGet(container.path("lifecycle").path(hook).path("httpGet"));
    }
    JsonNode limits = container.path("resources").path("limits");
    if (resources && limits.isObject() && !limits.isEmpty()) {
      // a container's requests default to its limits
      ObjectNode requests = ((ObjectNode) container.get("resources")).withObject("requests");
      for (Map.Entry<String, JsonNode> limit : limits.properties()) {
        if (!requests.has(limit.getKey())) {
          requests.set(limit.getKey(), limit.getValue().deepCopy());
        }
      }
    }
  }

  /**
   * {@code Always} for an image without a tag or tagged {@code latest} (Kubernetes reads an image
   * named without tag or digest as {@code :latest}), {@code IfNotPresent} otherwise.
   */
  static String pullPolicy(String image) {
    int at = image.indexOf('@');
    String named = at < 0 ? image : image.substring(0, at);
    int slash = named.lastIndexOf('/');
    int colon = named.lastIndexOf(':');
    String tag = colon > slash ? named.substring(colon + 1) : at < 0 ? "latest" : "";
    return tag.equals("latest") ? "Always" : "IfNotPresent";
  }

  private static void probe(ObjectNode probe) {
    putIfZero(probe, "timeoutSeconds", 1);
    putIfZero(probe, "periodSeconds", 10);
    putIfZero(probe, "successThreshold", 1);
    putIfZero(probe, "failureThreshold", 3);
    httpGet(probe.path("httpGet"));
  }

  private static void httpGet(JsonNode action) {
    if (action.isObject()) {
      ObjectDefaults.putIfAbsent((ObjectNode) action, "path", "/");
      ObjectDefaults.putIfAbsent((ObjectNode) action, "scheme", "HTTP");
    }
  }

  private static void fieldRef(JsonNode selector) {
    if (selector.isObject()) {
      ObjectDefaults.putIfAbsent((ObjectNode) selector, "apiVersion", "v1");
    }
  }

  private static void volume(ObjectNode volume) {
    if (volume.size() == 1 && volume.has("name")) {
      volume.putObject("emptyDir"); // a volume without a source is an empty directory
    }
    for (String source : MODE_SOURCES) {
      JsonNode found = volume.path(source);
      if (found.isObject() && !found.has("defaultMode")) {
        ((ObjectNode) found).put("defaultMode", DEFAULT_MODE);
      }
    }
    for (JsonNode item : volume.path("downwardAPI").path("items")) {
      fieldRef(item.path("fieldRef"));
    }
    for (JsonNode projection : volume.path("projected").path("sources")) {
      for (JsonNode item : projection.path("downwardAPI").path("items")) {
        fieldRef(item.path("fieldRef"));
      }
      JsonNode token = projection.path("serviceAccountToken");
      if (token.isObject() && !token.has("expirationSeconds")) {
        ((ObjectNode) token).put("expirationSeconds", 3600);
      }
    }
  }

  private static void putIfZero(ObjectNode node, String field, int value) {
    if (node.path(field).asInt(0) == 0) {
      node.put(field, value);
    }
  }
}
