package io.kedge.kube.objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an update of a Pod (not of its status) may change in its spec, as kube-apiserver's pod
 * update validation decides: the containers' and init containers' images, {@code
 * activeDeadlineSeconds} (set, or lowered), tolerations (added, or an existing one's {@code
 * tolerationSeconds}), scheduling gates (removed), {@code terminationGracePeriodSeconds} (from a
 * negative value to 1), and while the pod is gated, its node selector and affinity. Anything else a
 * running pod's node would not apply, so the pod must be deleted and created again.
 *
 * <p>Specs are compared as kube-apiserver compares them after decoding: a field absent and a field
 * at its zero value (empty text or list, {@code false}, 0) are the same, and quantities compare by
 * value ({@code 1} is {@code 1000m}).
 */
final class PodUpdates {
  static final String UPDATABLE =
      "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
          + "`spec.tolerations` (only additions to existing tolerations),"
          + "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously"
          + " negative)";

  private static final Set<String> QUANTITY_MAPS = Set.of("limits", "requests", "overhead");

  private PodUpdates() {}

  /**
   * Why {@code next} may not replace {@code current}, in kube-apiserver's words ({@code <field>:
   * Forbidden: ...}); null when it may.
   */
  static String forbidden(JsonNode current, JsonNode next) {
    JsonNode oldSpec = current.path("spec");
    JsonNode newSpec = next.path("spec");
    if (oldSpec.equals(newSpec)) {
      return null;
    }
    for (String list : new String[] {"containers", "initContainers"}) {
      if (oldSpec.path(list).size() != newSpec.path(list).size()) {
        return "spec." + list + ": Forbidden: pod updates may not add or remove containers";
      }
      for (int i = 0; i < newSpec.path(list).size(); i++) {
        if (newSpec.path(list).path(i).path("image").asText("").isEmpty()) {
          return "spec." + list + "[" + i + "].image: Required value";
        }
      }
    }
    String deadline = activeDeadline(oldSpec, newSpec);
    if (deadline != null) {
      return deadline;
    }
    if (!onlyAddedTolerations(oldSpec.path("tolerations"), newSpec.path("tolerations"))) {
      return "spec.tolerations: Forbidden: existing toleration can not be modified except its"
          + " tolerationSeconds";
    }
    for (JsonNode gate : newSpec.path("schedulingGates")) {
      if (!contains(oldSpec.path("schedulingGates"), gate)) {
        return "spec.schedulingGates: Forbidden: only deletion is allowed, but found new scheduling"
            + " gate '"
            + gate.path("name").asText()
            + "'";
      }
    }
    ObjectNode munged = mungedLikeOld(oldSpec, newSpec);
    JsonNode before = normalized(oldSpec, "");
    JsonNode after = normalized(munged, "");
    if (before.equals(after)) {
      return null;
    }
    List<String> changed = new ArrayList<>();
    differences("spec", before, after, changed);
    return "spec: Forbidden: pod updates may not change fields other than "
        + UPDATABLE
        + "\nchanged: "
        + String.join(", ", changed);
  }

  private static String activeDeadline(JsonNode oldSpec, JsonNode newSpec) {
    JsonNode oldValue = oldSpec.get("activeDeadlineSeconds");
    JsonNode newValue = newSpec.get("activeDeadlineSeconds");
    boolean hadOne = oldValue != null && !oldValue.isNull();
    if (newValue == null || newValue.isNull()) {
      return hadOne
          ? "spec.activeDeadlineSeconds: Invalid value: \"null\": must not update from a positive"
              + " integer to nil value"
          : null;
    }
    long seconds = newValue.asLong();
    if (seconds < 0 || seconds > Integer.MAX_VALUE) {
      return "spec.activeDeadlineSeconds: Invalid value: "
          + seconds
          + ": must be between 0 and 2147483647, inclusive";
    }
    if (hadOne && oldValue.asLong() < seconds) {
      return "spec.activeDeadlineSeconds: Invalid value: "
          + seconds
          + ": must be less than or equal to previous value";
    }
    return null;
  }

  /** Each old toleration is still there, its {@code tolerationSeconds} aside. */
  private static boolean onlyAddedTolerations(JsonNode old, JsonNode now) {
    for (JsonNode toleration : old) {
      JsonNode wanted = withoutSeconds(toleration);
      boolean found = false;
      for (JsonNode candidate : now) {
        found |= withoutSeconds(candidate).equals(wanted);
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }

  private static JsonNode withoutSeconds(JsonNode toleration) {
    JsonNode copy = normalized(toleration, "");
    if (copy.isObject()) {
      ((ObjectNode) copy).remove("tolerationSeconds");
    }
    return copy;
  }

  private static boolean contains(JsonNode list, JsonNode item) {
    for (JsonNode each : list) {
      if (each.equals(item)) {
        return true;
      }
    }
    return false;
  }

  /** The new spec with the fields an update may change set back to the old spec's. */
  private static ObjectNode mungedLikeOld(JsonNode oldSpec, JsonNode newSpec) {
    ObjectNode munged = newSpec.isObject() ? (ObjectNode) newSpec.deepCopy() : objectNode();
    for (String list : new String[] {"containers", "initContainers"}) {
      JsonNode containers = munged.path(list);
      for (int i = 0; i < containers.size(); i++) {
        JsonNode image = oldSpec.path(list).path(i).get("image");
        if (containers.get(i).isObject()) {
          ObjectNode container = (ObjectNode) containers.get(i);
          if (image == null) {
            container.remove("image");
          } else {
            container.set("image", image.deepCopy());
          }
        }
      }
    }
    List<String> likeOld =
        new ArrayList<>(List.of("activeDeadlineSeconds", "tolerations", "schedulingGates"));
    if (!oldSpec.path("schedulingGates").isEmpty()) {
      likeOld.add("nodeSelector"); // a gated pod may gain node constraints before it is scheduled
      likeOld.add("affinity");
    }
    JsonNode oldGrace = oldSpec.path("terminationGracePeriodSeconds");
    if (oldGrace.isNumber()
        && oldGrace.asLong() < 0
        && munged.path("terminationGracePeriodSeconds").asLong(0) == 1) {
      likeOld.add("terminationGracePeriodSeconds");
    }
    for (String field : likeOld) {
      JsonNode old = oldSpec.get(field);
      if (old == null) {
        munged.remove(field);
      } else {
        munged.set(field, old.deepCopy());
      }
    }
    return munged;
  }

  /**
   * {@code node} without zero values (null, "", false, 0, empty lists and objects) and with
   * quantities in canonical form; {@code field} is the name {@code node} has in its parent.
   */
  private static JsonNode normalized(JsonNode node, String field) {
    if (node.isObject()) {
      ObjectNode copy = objectNode();
      for (Map.Entry<String, JsonNode> entry : node.properties()) {
        JsonNode value =
            QUANTITY_MAPS.contains(field) && entry.getValue().isTextual()
                ? quantity(entry.getValue().asText())
                : normalized(entry.getValue(), entry.getKey());
        if (!isZero(value)) {
          copy.set(entry.getKey(), value);
        }
      }
      return copy;
    }
    if (node.isArray()) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode();
      node.forEach(item -> copy.add(normalized(item, "")));
      return copy;
    }
    if (node.isNumber()) {
      return JsonNodeFactory.instance.numberNode(node.decimalValue().stripTrailingZeros());
    }
    return node;
  }

  /** A quantity by its value ({@code 64Mi} is {@code 67108864}); other text as written. */
  private static JsonNode quantity(String text) {
    java.math.BigDecimal value = Quantities.parse(text);
    return value == null
        ? JsonNodeFactory.instance.textNode(text)
        : JsonNodeFactory.instance.numberNode(value.stripTrailingZeros());
  }

  private static boolean isZero(JsonNode value) {
    return value.isNull()
        || (value.isTextual() && value.asText().isEmpty())
        || (value.isBoolean() && !value.asBoolean())
        || (value.isNumber() && value.decimalValue().signum() == 0)
        || (value.isContainerNode() && value.isEmpty());
  }

  /**
   * The paths where {@code before} and {@code after} differ, e.g. {@code spec.containers[0].env}.
   */
  private static void differences(String path, JsonNode before, JsonNode after, List<String> out) {
    if (before.equals(after)) {
      return;
    }
    if (before.isObject() && after.isObject()) {
      Set<String> names = new TreeSet<>();
      before.fieldNames().forEachRemaining(names::add);
      after.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        JsonNode a = before.path(name);
        JsonNode b = after.path(name);
        if (!a.equals(b)) {
          if (a.isMissingNode() || b.isMissingNode()) {
            out.add(path + "." + name);
          } else {
            differences(path + "." + name, a, b, out);
          }
        }
      }
      return;
    }
    if (before.isArray() && after.isArray() && before.size() == after.size()) {
      for (int i = 0; i < before.size(); i++) {
        differences(path + "[" + i + "]", before.get(i), after.get(i), out);
      }
      return;
    }
    out.add(path);
  }

  private static ObjectNode objectNode() {
    return JsonNodeFactory.instance.objectNode();
  }
}
