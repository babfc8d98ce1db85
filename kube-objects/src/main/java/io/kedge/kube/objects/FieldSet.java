package io.kedge.kube.objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The fields of an object as server-side apply tracks their owners: a set of paths, written in
 * Kubernetes' {@code FieldsV1} form ({@code f:name} a field, {@code k:{"name":"app"}} an element of
 * a list keyed by its merge keys, {@code v:"x"} a value of a set, {@code .} the element itself).
 *
 * <p>Lists, maps and structs follow the kind's schema ({@link ApplySchema}): a list is atomic and
 * owned whole, a set, or a map keyed by some of its elements' fields; an atomic map or struct (a
 * Service's selector, a label selector) is owned whole. Kinds without a schema here (custom
 * resources) know lists by field name ({@link ListType#byName}).
 */
public final class FieldSet {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String SELF = ".";

  /** Fields the server owns, never tracked: identity and server-set metadata. */
  private static final Set<String> UNTRACKED_TOP = Set.of("apiVersion", "kind");

  private static final Set<String> UNTRACKED_METADATA =
      Set.of(
          "name",
          "namespace",
          "uid",
          "resourceVersion",
          "generation",
          "creationTimestamp",
          "deletionTimestamp",
          "deletionGracePeriodSeconds",
          "managedFields",
          "selfLink");

  private final Set<List<String>> paths;

  private FieldSet(Set<List<String>> paths) {
    this.paths = paths;
  }

  public static FieldSet empty() {
    return new FieldSet(new java.util.HashSet<>());
  }

  /**
   * The fields {@code object} sets. {@code part} limits them: {@code "spec"} for everything but
   * {@code status}, {@code "status"} for {@code status} alone, empty for all.
   */
  public static FieldSet of(JsonNode object, String part) {
    FieldSet set = empty();
    ApplySchema.Shape root = ApplySchema.of(object);
    for (Map.Entry<String, JsonNode> field : object.properties()) {
      String name = field.getKey();
      if (UNTRACKED_TOP.contains(name)
          || (part.equals("spec") && name.equals("status"))
          || (part.equals("status") && !name.equals("status"))) {
        continue;
      }
      List<String> path = List.of("f:" + name);
      ApplySchema.Shape shape = root.child(name);
      if (name.equals("metadata") && field.getValue().isObject()) {
        for (Map.Entry<String, JsonNode> m : field.getValue().properties()) {
          if (!UNTRACKED_METADATA.contains(m.getKey())) {
            set.collect(append(path, "f:" + m.getKey()), shape.child(m.getKey()), m.getValue());
          }
        }
      } else {
        set.collect(path, shape, field.getValue());
      }
    }
    return set;
  }

  private void collect(List<String> path, ApplySchema.Shape shape, JsonNode value) {
    if (value.isObject() && !value.isEmpty() && !shape.atomic()) {
      for (Map.Entry<String, JsonNode> field : value.properties()) {
        collect(append(path, "f:" + field.getKey()), shape.child(field.getKey()), field.getValue());
      }
      return;
    }
    if (value.isArray() && !value.isEmpty()) {
      ListType type = shape.listType((ArrayNode) value);
      if (type.keys() != null) {
        ApplySchema.Shape items = shape.items();
        for (JsonNode element : value) {
          List<String> item = append(path, type.keyOf(element));
          paths.add(append(item, SELF));
          for (Map.Entry<String, JsonNode> field : element.properties()) {
            collect(
                append(item, "f:" + field.getKey()), items.child(field.getKey()), field.getValue());
          }
        }
        return;
      }
      if (type.set()) {
        for (JsonNode element : value) {
          paths.add(append(path, "v:" + element.toString()));
        }
        return;
      }
    }
    paths.add(path); // a scalar, an atomic list, or an empty map or list: owned whole
  }

  private static List<String> append(List<String> path, String element) {
    List<String> longer = new ArrayList<>(path.size() + 1);
    longer.addAll(path);
    longer.add(element);
    return List.copyOf(longer);
  }

  public Set<List<String>> paths() {
    return paths;
  }

  public boolean isEmpty() {
    return paths.isEmpty();
  }

  public boolean contains(List<String> path) {
    return paths.contains(path);
  }

  public FieldSet minus(Set<List<String>> removed) {
    FieldSet rest = empty();
    for (List<String> path : paths) {
      if (!removed.contains(path)) {
        rest.paths.add(path);
      }
    }
    return rest;
  }

  public FieldSet plus(Set<List<String>> added) {
    FieldSet union = empty();
    union.paths.addAll(paths);
    union.paths.addAll(added);
    return union;
  }

  /** The value a path names in {@code object}, or null when it has none. */
  public static JsonNode valueAt(JsonNode object, List<String> path) {
    JsonNode node = object;
    ApplySchema.Shape shape = ApplySchema.of(object);
    for (String element : path) {
      if (node == null) {
        return null;
      }
      if (element.equals(SELF)) {
        return node;
      }
      if (element.startsWith("f:")) {
        String field = element.substring(2);
        shape = shape.child(field);
        node = node.isObject() ? node.get(field) : null;
      } else if (element.startsWith("k:")) {
        node =
            node.isArray()
                ? shape.listType((ArrayNode) node).find((ArrayNode) node, element)
                : null;
        shape = shape.items();
      } else if (element.startsWith("v:")) {
        JsonNode value = parse(element.substring(2));
        node = node.isArray() && contains((ArrayNode) node, value) ? value : null;
      } else {
        return null;
      }
    }
    return node;
  }

  /** Removes what {@code path} names from {@code object}, if it is there. */
  public static void remove(JsonNode object, List<String> path) {
    JsonNode parent = object;
    ApplySchema.Shape shape = ApplySchema.of(object);
    for (int i = 0; i < path.size() - 1; i++) {
      String element = path.get(i);
      if (element.startsWith("f:")) {
        String field = element.substring(2);
        shape = shape.child(field);
        parent = parent == null || !parent.isObject() ? null : parent.get(field);
      } else if (element.startsWith("k:") && parent != null && parent.isArray()) {
        JsonNode item = shape.listType((ArrayNode) parent).find((ArrayNode) parent, element);
        if (i + 1 == path.size() - 1 && path.get(i + 1).equals(SELF)) {
          remove((ArrayNode) parent, item);
          return;
        }
        shape = shape.items();
        parent = item;
      } else {
        return;
      }
      if (parent == null) {
        return;
      }
    }
    String last = path.get(path.size() - 1);
    if (last.startsWith("f:") && parent.isObject()) {
      ((ObjectNode) parent).remove(last.substring(2));
    } else if (last.startsWith("v:") && parent.isArray()) {
      remove((ArrayNode) parent, parse(last.substring(2)));
    }
  }

  private static void remove(ArrayNode list, JsonNode item) {
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).equals(item)) {
        list.remove(i);
        return;
      }
    }
  }

  private static boolean contains(ArrayNode list, JsonNode value) {
    for (JsonNode element : list) {
      if (element.equals(value)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Merges {@code config} into {@code target} as apply does: maps field by field, keyed lists
   * element by element, sets as unions; scalars and atomic lists are replaced.
   */
  public static void merge(ObjectNode target, JsonNode config) {
    merge(target, config, ApplySchema.of(target));
  }

  private static void merge(ObjectNode target, JsonNode config, ApplySchema.Shape shape) {
    for (Map.Entry<String, JsonNode> field : config.properties()) {
      String name = field.getKey();
      JsonNode value = field.getValue();
      JsonNode existing = target.get(name);
      ApplySchema.Shape child = shape.child(name);
      if (value.isObject() && existing != null && existing.isObject() && !child.atomic()) {
        merge((ObjectNode) existing, value, child);
      } else if (value.isArray() && existing != null && existing.isArray()) {
        target.set(name, mergeList(child, (ArrayNode) existing, (ArrayNode) value));
      } else {
        target.set(name, value.deepCopy());
      }
    }
  }

  private static ArrayNode mergeList(
      ApplySchema.Shape shape, ArrayNode existing, ArrayNode config) {
    ArrayNode both = existing.deepCopy();
    both.addAll(config.deepCopy());
    ListType type = shape.listType(both);
    if (type.keys() != null) {
      ArrayNode merged = existing.deepCopy();
      ApplySchema.Shape items = shape.items();
      for (JsonNode element : config) {
        JsonNode held = type.find(merged, type.keyOf(element));
        if (held != null && held.isObject() && !items.atomic()) {
          merge((ObjectNode) held, element, items);
        } else if (held != null) {
          merged.set(indexOf(merged, held), element.deepCopy());
        } else {
          merged.add(element.deepCopy());
        }
      }
      return merged;
    }
    if (type.set()) {
      ArrayNode merged = existing.deepCopy();
      for (JsonNode element : config) {
        if (!contains(merged, element)) {
          merged.add(element.deepCopy());
        }
      }
      return merged;
    }
    return config.deepCopy();
  }

  /** The {@code fieldsV1} tree of these paths. */
  public ObjectNode toFieldsV1() {
    ObjectNode root = NODES.objectNode();
    for (List<String> path :
        new TreeSet<>(paths.stream().map(FieldSet::joined).toList())
            .stream().map(FieldSet::split).toList()) {
      ObjectNode node = root;
      for (String element : path) {
        node = node.withObjectProperty(element);
      }
    }
    return root;
  }

  /** The paths of a {@code fieldsV1} tree; an unreadable tree reads as no fields. */
  public static FieldSet fromFieldsV1(JsonNode tree) {
    FieldSet set = empty();
    if (tree != null && tree.isObject()) {
      walk(tree, List.of(), set.paths);
    }
    return set;
  }

  private static void walk(JsonNode node, List<String> path, Set<List<String>> out) {
    if (node.isEmpty() && !path.isEmpty()) {
      out.add(path);
      return;
    }
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      walk(node.get(name), append(path, name), out);
    }
  }

  private static String joined(List<String> path) {
    return String.join("\u0000", path);
  }

  private static List<String> split(String joined) {
    return List.of(joined.split("\u0000"));
  }

  /**
   * A path as kube-apiserver names a field in a conflict: {@code
   * .spec.containers[name="app"].image}.
   */
  public static String describe(List<String> path) {
    StringBuilder out = new StringBuilder();
    for (String element : path) {
      if (element.startsWith("f:")) {
        out.append('.').append(element.substring(2));
      } else if (element.startsWith("k:")) {
        JsonNode key = parse(element.substring(2));
        List<String> parts = new ArrayList<>();
        key.properties().forEach(f -> parts.add(f.getKey() + "=" + f.getValue()));
        out.append('[').append(String.join(",", parts)).append(']');
      } else if (element.startsWith("v:")) {
        out.append("[=").append(element.substring(2)).append(']');
      }
    }
    return out.toString();
  }

  private static JsonNode parse(String json) {
    try {
      return EventCodec.json().readTree(json);
    } catch (IOException e) {
      return NODES.textNode(json);
    }
  }

  private static int indexOf(ArrayNode list, JsonNode element) {
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) == element) {
        return i;
      }
    }
    return -1;
  }

  /** How a list merges: by keys (a map), as a set, or atomically (both null/false). */
  record ListType(List<String> keys, boolean set) {
    static final ListType ATOMIC = new ListType(null, false);
    static final ListType SET = new ListType(null, true);

    /**
     * A list of a kind without a schema, by its field's name: lists Kubernetes keys by merge key
     * wherever they appear (containers, env, conditions...) are maps when their elements carry the
     * key, {@code finalizers} is a set, every other list is atomic.
     */
    static ListType byName(String field, ArrayNode sample) {
      List<String> keys = StrategicMergePatch.mergeKeys(field, sample);
      if (keys != null) {
        for (JsonNode element : sample) {
          if (!element.isObject() || !element.has(keys.get(0))) {
            return ATOMIC; // not a list of named things after all
          }
        }
        return new ListType(keys, false);
      }
      return StrategicMergePatch.isSetList(field) ? SET : ATOMIC;
    }

    /** {@code k:{...}} of an element: its key fields, the protocol defaulting to TCP. */
    String keyOf(JsonNode element) {
      Map<String, JsonNode> key = new LinkedHashMap<>();
      for (String field : keys) {
        JsonNode value = element.get(field);
        if (value == null && field.equals("protocol")) {
          value = NODES.textNode("TCP");
        }
        key.put(field, value == null ? NODES.nullNode() : value);
      }
      ObjectNode json = NODES.objectNode();
      key.forEach(json::set);
      return "k:" + json;
    }

    JsonNode find(ArrayNode list, String key) {
      for (JsonNode element : list) {
        if (element.isObject() && keyOf(element).equals(key)) {
          return element;
        }
      }
      return null;
    }
  }
}
