package io.kedge.kube.objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kubernetes strategic merge patch for the core kinds kedge carries: like a merge patch, except
 * that lists of named things (containers, env, volumes, ports, conditions...) merge element by
 * element on their merge key instead of being replaced, and the directives {@code $patch}, {@code
 * $retainKeys}, {@code $deleteFromPrimitiveList/...} and {@code $setElementOrder/...} (the order of
 * the merged list) are honoured. This is what {@code kubectl apply}, {@code kubectl patch} and
 * client-go send.
 *
 * <p>Merge keys come from the Kubernetes API's {@code patchMergeKey} tags, by field name ({@link
 * #KUBERNETES}); another {@link Schema} gives them for other types.
 */
public final class StrategicMergePatch {
  /** Where a patch's lists and objects merge: the {@code patchStrategy} and merge key tags. */
  public interface Schema {
    /**
     * The merge key of list {@code field} when it holds objects merged element by element, or null
     * when the list is replaced (or holds scalars).
     */
    String mergeKey(String field, ArrayNode patch, ArrayNode current);

    /** Whether list {@code field} of scalars merges as a set instead of being replaced. */
    boolean mergesScalars(String field);

    /** Whether object {@code field} is replaced whole ({@code patchStrategy:"replace"}). */
    boolean replaces(String field);
  }

  /** The kinds kedge carries, tagged as in k8s.io/api. */
  public static final Schema KUBERNETES =
      new Schema() {
        @Override
        public String mergeKey(String field, ArrayNode patch, ArrayNode current) {
          return StrategicMergePatch.mergeKey(field, patch, current);
        }

        @Override
        public boolean mergesScalars(String field) {
          return MERGED_SCALAR_LISTS.contains(field);
        }

        @Override
        public boolean replaces(String field) {
          return false;
        }
      };

  private static final String PATCH = "$patch";
  private static final String RETAIN_KEYS = "$retainKeys";
  private static final String SET_ORDER = "$setElementOrder/";
  private static final String DELETE_PRIMITIVE = "$deleteFromPrimitiveList/";

  /**
   * Field name → merge key, as {@code patchMergeKey} tags them in k8s.io/api (a field name means
   * the same wherever Kubernetes tags it; {@code ports} aside, see {@link #mergeKey}). Kept equal
   * to Kubernetes' tags by {@code StrategicMergePatchTagsTest} in edge-api, which reads them.
   */
  private static final Map<String, String> MERGE_KEYS =
      Map.ofEntries(
          Map.entry("containers", "name"),
          Map.entry("initContainers", "name"),
          Map.entry("ephemeralContainers", "name"),
          Map.entry("volumes", "name"),
          Map.entry("env", "name"),
          Map.entry("imagePullSecrets", "name"),
          Map.entry("secrets", "name"),
          Map.entry("volumeMounts", "mountPath"),
          Map.entry("volumeDevices", "devicePath"),
          Map.entry("conditions", "type"),
          Map.entry("hostAliases", "ip"),
          Map.entry("podIPs", "ip"),
          Map.entry("hostIPs", "ip"),
          Map.entry("ownerReferences", "uid"),
          Map.entry("reservedFor", "uid"),
          Map.entry("topologySpreadConstraints", "topologyKey"),
          Map.entry("addresses", "type"),
          Map.entry("resourceClaims", "name"),
          Map.entry("resourceClaimStatuses", "name"),
          Map.entry("allocatedResourcesStatus", "name"),
          Map.entry("schedulingGates", "name"),
          Map.entry("drivers", "name"),
          Map.entry("webhooks", "name"),
          Map.entry("matchConditions", "name"),
          Map.entry("variables", "name"),
          Map.entry("xKubernetesValidations", "rule"));

  /** Lists of scalars that merge as sets. */
  private static final Set<String> MERGED_SCALAR_LISTS = Set.of("finalizers", "podCIDRs");

  private StrategicMergePatch() {}

  /**
   * Returns the patched object; {@code target} is not modified.
   *
   * @throws IllegalArgumentException when the patch is not an object or a directive is malformed
   */
  public static ObjectNode apply(ObjectNode target, JsonNode patch) {
    return apply(target, patch, KUBERNETES);
  }

  /** Applies {@code patch} with the merge keys and strategies of {@code schema}. */
  public static ObjectNode apply(ObjectNode target, JsonNode patch, Schema schema) {
    if (!patch.isObject()) {
      throw new IllegalArgumentException("a strategic merge patch must be a JSON object");
    }
    JsonNode merged = mergeObject(target.deepCopy(), (ObjectNode) patch, schema);
    if (merged == null) {
      throw new IllegalArgumentException("a strategic merge patch cannot delete the whole object");
    }
    return (ObjectNode) merged;
  }

  /** Merges {@code patch} into {@code original} (which it may modify); null means "delete me". */
  private static ObjectNode mergeObject(ObjectNode original, ObjectNode patch, Schema schema) {
    String directive = patch.path(PATCH).asText("");
    switch (directive) {
      case "delete":
        return null;
      case "replace":
        return withoutDirectives(patch);
      case "", "merge":
        break;
      default:
        throw new IllegalArgumentException("unknown $patch directive '" + directive + "'");
    }
    Map<String, Integer> sizesBefore = new java.util.HashMap<>();
    for (Map.Entry<String, JsonNode> field : patch.properties()) {
      if (field.getKey().startsWith(SET_ORDER)) {
        String list = field.getKey().substring(SET_ORDER.length());
        sizesBefore.put(list, original.path(list).size());
      }
    }
    for (Map.Entry<String, JsonNode> field : patch.properties()) {
      String name = field.getKey();
      JsonNode value = field.getValue();
      if (name.startsWith("$")) {
        continue;
      }
      if (value.isNull()) {
        original.remove(name);
      } else if (value.isObject() && schema.replaces(name)) {
        original.set(name, withoutDirectives((ObjectNode) value));
      } else if (value.isObject()) {
        JsonNode current = original.get(name);
        ObjectNode merged =
            mergeObject(
                current != null && current.isObject()
                    ? (ObjectNode) current
                    : JsonNodeFactory.instance.objectNode(),
                (ObjectNode) value,
                schema);
        // a map told to delete itself is left empty, as kube-apiserver leaves it
        original.set(name, merged == null ? JsonNodeFactory.instance.objectNode() : merged);
      } else if (value.isArray()) {
        checkOrder(name, (ArrayNode) value, patch.get(SET_ORDER + name), schema);
        original.set(name, mergeList(name, original.get(name), (ArrayNode) value, schema));
      } else {
        original.set(name, value.deepCopy());
      }
    }
    // ordered before the deletions from lists of scalars, as kube-apiserver orders them
    sizesBefore.forEach(
        (list, sizeBefore) -> {
          JsonNode merged = original.get(list);
          if (merged != null && merged.isArray()) {
            ArrayNode order = (ArrayNode) patch.get(SET_ORDER + list);
            String mergeKey = schema.mergeKey(list, order, (ArrayNode) merged);
            // kube-apiserver compares positions in the list as it was, read through the merge's
            // reuse of its storage: as many elements as it had, of the merged list
            ArrayNode seen = JsonNodeFactory.instance.arrayNode();
            for (int i = 0; i < Math.min(sizeBefore, merged.size()); i++) {
              seen.add(merged.get(i));
            }
            original.set(list, ordered((ArrayNode) merged, order, seen, mergeKey));
          }
        });
    for (Map.Entry<String, JsonNode> field : patch.properties()) {
      if (field.getKey().startsWith(DELETE_PRIMITIVE)) {
        String name = field.getKey().substring(DELETE_PRIMITIVE.length());
        JsonNode current = original.get(name);
        if (current != null && current.isArray()) {
          Set<JsonNode> gone = new HashSet<>();
          field.getValue().forEach(gone::add);
          ArrayNode kept = JsonNodeFactory.instance.arrayNode();
          current.forEach(
              v -> {
                if (!gone.contains(v)) {
                  kept.add(v);
                }
              });
          original.set(name, kept);
        }
      }
    }
    JsonNode retain = patch.get(RETAIN_KEYS);
    if (retain != null) {
      if (!retain.isArray()) {
        throw new IllegalArgumentException("$retainKeys must be a list of field names");
      }
      Set<String> keep = new HashSet<>();
      retain.forEach(k -> keep.add(k.asText()));
      original.properties().removeIf(e -> !keep.contains(e.getKey()));
    }
    return original;
  }

  private static ArrayNode mergeList(
      String field, JsonNode current, ArrayNode patch, Schema schema) {
    ArrayNode result = JsonNodeFactory.instance.arrayNode();
    for (JsonNode element : patch) {
      if (element.isObject() && "replace".equals(element.path(PATCH).asText())) {
        patch.forEach(
            e -> {
              if (!(e.isObject() && e.has(PATCH) && e.size() == 1)) {
                result.add(e.isObject() ? withoutDirectives((ObjectNode) e) : e.deepCopy());
              }
            });
        return result;
      }
    }
    if (current != null && current.isArray()) {
      current.forEach(e -> result.add(e.deepCopy()));
    }
    String mergeKey = schema.mergeKey(field, patch, result);
    if (mergeKey == null) {
      if (!schema.mergesScalars(field)) {
        ArrayNode replaced = JsonNodeFactory.instance.arrayNode();
        patch.forEach(
            e -> replaced.add(e.isObject() ? withoutDirectives((ObjectNode) e) : e.deepCopy()));
        return replaced;
      }
      Set<JsonNode> present = new HashSet<>();
      result.forEach(present::add);
      patch.forEach(
          e -> {
            if (present.add(e)) {
              result.add(e.deepCopy());
            }
          });
      return result;
    }
    for (JsonNode element : patch) {
      if (!element.isObject()) {
        throw new IllegalArgumentException(
            "list "
                + field
                + " merges on '"
                + mergeKey
                + "', but a patch element is not an object");
      }
      JsonNode keyValue = element.get(mergeKey);
      if (keyValue == null) {
        throw new IllegalArgumentException(
            "an element of list " + field + " has no merge key '" + mergeKey + "'");
      }
      int at = indexOf(result, mergeKey, keyValue);
      if ("delete".equals(element.path(PATCH).asText())) {
        while (at >= 0) { // every element with that key, duplicates too
          result.remove(at);
          at = indexOf(result, mergeKey, keyValue);
        }
      } else if (at >= 0) {
        ObjectNode merged = mergeObject((ObjectNode) result.get(at), (ObjectNode) element, schema);
        if (merged == null) {
          result.remove(at);
        } else {
          result.set(at, merged);
        }
      } else {
        ObjectNode added =
            mergeObject(JsonNodeFactory.instance.objectNode(), (ObjectNode) element, schema);
        if (added != null) {
          result.add(added);
        }
      }
    }
    return result;
  }

  /** Container ports merge on containerPort, Service ports on port; the rest by field name. */
  private static String mergeKey(String field, ArrayNode patch, ArrayNode current) {
    if (field.equals("ports")) {
      JsonNode sample =
          patch.size() > 0 ? patch.get(0) : current.size() > 0 ? current.get(0) : null;
      if (sample == null) {
        return null;
      }
      return sample.has("containerPort") ? "containerPort" : "port";
    }
    return MERGE_KEYS.get(field);
  }

  /**
   * The keys server-side apply identifies elements of a list by when only the list's name is known
   * (a custom resource without a schema here): the merge key, and for {@code ports} the protocol
   * beside it, as the Kubernetes API keys its port lists; null for a list that is not a map.
   */
  static java.util.List<String> mergeKeys(String field, ArrayNode sample) {
    String key = mergeKey(field, sample, sample);
    if (key == null) {
      return null;
    }
    return field.equals("ports") ? java.util.List.of(key, "protocol") : java.util.List.of(key);
  }

  /** Whether a list of scalars is a set (merged by value). */
  static boolean isSetList(String field) {
    return MERGED_SCALAR_LISTS.contains(field);
  }

  /**
   * A patch list's elements (deletions aside) must come in the order its {@code
   * $setElementOrder/<field>} gives them, as kube-apiserver checks.
   */
  private static void checkOrder(String field, ArrayNode list, JsonNode order, Schema schema) {
    if (order == null) {
      return;
    }
    if (!order.isArray()) {
      throw new IllegalArgumentException(SET_ORDER + field + " must be a list");
    }
    String mergeKey = schema.mergeKey(field, list, list);
    int at = 0;
    for (JsonNode element : list) {
      if (element.isObject()
          && (element.has(PATCH) || (mergeKey != null && !element.has(mergeKey)))) {
        continue; // a directive, or an element without its key (refused when merged)
      }
      JsonNode key = mergeKey != null && element.isObject() ? element.get(mergeKey) : element;
      while (at < order.size()
          && !key.equals(mergeKey != null ? order.get(at).get(mergeKey) : order.get(at))) {
        at++;
      }
      if (at == order.size()) {
        throw new IllegalArgumentException(
            "the order in patch list "
                + list
                + " doesn't match "
                + SET_ORDER
                + field
                + " list "
                + order);
      }
      at++;
    }
  }

  /**
   * The merged list in the order kube-apiserver gives it: the elements {@code order} names in that
   * order, and the others (the live object's own) placed among them where they stood before.
   */
  private static ArrayNode ordered(
      ArrayNode merged, ArrayNode order, JsonNode before, String mergeKey) {
    java.util.function.Function<JsonNode, JsonNode> key =
        e -> mergeKey == null ? e : e.path(mergeKey);
    List<JsonNode> named = new ArrayList<>();
    List<JsonNode> own = new ArrayList<>();
    for (JsonNode element : merged) {
      (position(order, key.apply(element), key) >= 0 ? named : own).add(element);
    }
    named.sort(Comparator.comparingInt(e -> position(order, key.apply(e), key)));
    own.sort(
        (a, b) -> {
          int i = position(before, key.apply(a), key);
          int j = position(before, key.apply(b), key);
          return i >= 0 && j >= 0 ? Integer.compare(i, j) : 0;
        });
    // each element of the live object's own goes before the first named one it stood before
    ArrayNode result = JsonNodeFactory.instance.arrayNode();
    int i = 0;
    int j = 0;
    while (i < own.size() || j < named.size()) {
      if (i < own.size() && j < named.size()) {
        int left = position(before, key.apply(own.get(i)), key);
        int right = position(before, key.apply(named.get(j)), key);
        if (left >= 0 && right >= 0 && left < right) {
          result.add(own.get(i++));
        } else {
          result.add(named.get(j++));
        }
      } else if (i < own.size()) {
        result.add(own.get(i++));
      } else {
        result.add(named.get(j++));
      }
    }
    return result;
  }

  private static int position(
      JsonNode list, JsonNode key, java.util.function.Function<JsonNode, JsonNode> keyOf) {
    for (int i = 0; i < list.size(); i++) {
      if (key.equals(keyOf.apply(list.get(i)))) {
        return i;
      }
    }
    return -1;
  }

  private static int indexOf(ArrayNode list, String mergeKey, JsonNode value) {
    for (int i = 0; i < list.size(); i++) {
      if (value.equals(list.get(i).get(mergeKey))) {
        return i;
      }
    }
    return -1;
  }

  private static ObjectNode withoutDirectives(ObjectNode node) {
    ObjectNode copy = node.deepCopy();
    copy.properties().removeIf(e -> e.getKey().startsWith("$"));
    return copy;
  }
}
