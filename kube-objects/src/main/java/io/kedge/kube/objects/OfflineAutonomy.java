package io.kedge.kube.objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flipkart.zjsonpatch.CompatibilityFlags;
import com.flipkart.zjsonpatch.JsonPatch;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * Offline autonomy (KubeEdge's {@code app-offline.kubeedge.io=autonomy}): a labelled pod tolerates
 * node loss forever, so the node lifecycle controller never evicts it. Kubernetes evicts at the
 * smallest matching {@code tolerationSeconds}, so the default 300 s unreachable toleration is
 * replaced, not joined. On UPDATE, Kubernetes only lets tolerations be added: an unlimited one is
 * added where the pod has none for that taint, and where it has a time-limited one (the default 300
 * s) nothing can help, which {@link #updateWarning} says. Used by the cloud's admission webhook and
 * by the edge API for pods created on the edge.
 */
public final class OfflineAutonomy {
  public static final String LABEL = "app-offline.kubeedge.io";
  public static final String VALUE = "autonomy";
  public static final String UNREACHABLE = "node.kubernetes.io/unreachable";
  public static final String NOT_READY = "node.kubernetes.io/not-ready";

  private final List<String> keys;

  /**
   * @param notReadyToo also tolerate {@code node.kubernetes.io/not-ready} forever
   */
  public OfflineAutonomy(boolean notReadyToo) {
    this.keys = notReadyToo ? List.of(UNREACHABLE, NOT_READY) : List.of(UNREACHABLE);
  }

  /** True for a pod carrying the label. */
  public static boolean applies(JsonNode pod) {
    return VALUE.equals(pod.path("metadata").path("labels").path(LABEL).asText(null));
  }

  /**
   * The RFC 6902 patch that makes {@code pod} tolerate node loss forever; empty when the pod is not
   * labelled or already does.
   *
   * @param update the pod exists already: only add tolerations, never change or remove one
   */
  public ArrayNode patch(JsonNode pod, boolean update) {
    ArrayNode ops = JsonNodeFactory.instance.arrayNode();
    if (!applies(pod)) {
      return ops;
    }
    JsonNode tolerations = pod.path("spec").path("tolerations");
    List<JsonNode> current = new ArrayList<>();
    tolerations.forEach(current::add);
    List<String> missing = new ArrayList<>();
    boolean wrong = false;
    for (String key : keys) {
      if (current.stream().noneMatch(t -> forever(t, key))) {
        missing.add(key);
        wrong |= current.stream().anyMatch(t -> key.equals(t.path("key").asText()));
      }
    }
    if (missing.isEmpty()) {
      return ops;
    }
    if (update && wrong) {
      return ops; // a time-limited toleration stays and evicts: see updateWarning
    }
    if (current.isEmpty()) {
      ArrayNode value =
          ops.addObject().put("op", "add").put("path", "/spec/tolerations").putArray("value");
      keys.forEach(key -> value.add(toleration(key)));
    } else if (update || !wrong) {
      missing.forEach(
          key ->
              ops.addObject()
                  .put("op", "add")
                  .put("path", "/spec/tolerations/-")
                  .set("value", toleration(key)));
    } else {
      ArrayNode value = JsonNodeFactory.instance.arrayNode();
      current.stream()
          .filter(t -> !keys.contains(t.path("key").asText()))
          .forEach(t -> value.add(t.deepCopy()));
      keys.forEach(key -> value.add(toleration(key)));
      ops.addObject().put("op", "replace").put("path", "/spec/tolerations").set("value", value);
    }
    return ops;
  }

  /**
   * Why an update cannot make {@code pod} autonomous, or null when it can (or the pod is not
   * labelled): a time-limited toleration of a node-loss taint, which Kubernetes does not let an
   * update remove, evicts the pod when it runs out, whatever is added beside it.
   */
  public String updateWarning(JsonNode pod) {
    if (!applies(pod)) {
      return null;
    }
    for (String key : keys) {
      for (JsonNode t : pod.path("spec").path("tolerations")) {
        if (key.equals(t.path("key").asText())
            && t.has("tolerationSeconds")
            && !t.get("tolerationSeconds").isNull()) {
          return "pod "
              + pod.path("metadata").path("name").asText()
              + " is labelled "
              + LABEL
              + "="
              + VALUE
              + " but keeps its "
              + t.get("tolerationSeconds").asText()
              + " s toleration of "
              + key
              + ", which an update cannot remove: it is evicted when its node is offline that"
              + " long; delete and recreate the pod to make it autonomous";
        }
      }
    }
    return null;
  }

  /** {@code pod} with the tolerations it needs (a copy), for pods created on the edge. */
  public ObjectNode apply(ObjectNode pod) {
    ArrayNode ops = patch(pod, false);
    return ops.isEmpty()
        ? pod
        : (ObjectNode) JsonPatch.apply(ops, pod, EnumSet.noneOf(CompatibilityFlags.class));
  }

  /** A toleration of {@code key} with no time limit (an empty key with Exists tolerates all). */
  private static boolean forever(JsonNode t, String key) {
    String tkey = t.path("key").asText("");
    boolean exists = "Exists".equals(t.path("operator").asText(""));
    String effect = t.path("effect").asText("");
    boolean noLimit = !t.has("tolerationSeconds") || t.get("tolerationSeconds").isNull();
    boolean effectCovers = effect.isEmpty() || effect.equals("NoExecute");
    return exists && noLimit && effectCovers && (tkey.equals(key) || tkey.isEmpty());
  }

  private static ObjectNode toleration(String key) {
    return JsonNodeFactory.instance.objectNode().put("key", key).put("operator", "Exists");
  }
}
