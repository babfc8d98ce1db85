package io.kedge.kube.objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * {@code metadata.managedFields}: which manager set which fields, by which operation ({@code Apply}
 * for server-side apply, {@code Update} for every other write), as kube-apiserver records it. A
 * write that changes a field takes it from every other manager; an apply shares a field with
 * managers that set the same value.
 */
public final class ManagedFields {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** One manager's fields for one operation and subresource. */
  public record Entry(
      String manager,
      String operation,
      String apiVersion,
      String subresource,
      String time,
      FieldSet fields) {
    boolean same(String manager, String operation, String subresource) {
      return this.manager.equals(manager)
          && this.operation.equals(operation)
          && this.subresource.equals(subresource);
    }
  }

  private ManagedFields() {}

  public static List<Entry> read(JsonNode object) {
    List<Entry> entries = new ArrayList<>();
    for (JsonNode entry : object.path("metadata").path("managedFields")) {
      entries.add(
          new Entry(
              entry.path("manager").asText(""),
              entry.path("operation").asText("Update"),
              entry.path("apiVersion").asText(""),
              entry.path("subresource").asText(""),
              entry.path("time").asText(""),
              FieldSet.fromFieldsV1(entry.path("fieldsV1"))));
    }
    return entries;
  }

  /** Writes {@code entries} (dropping empty ones) into {@code object}'s metadata. */
  public static void write(ObjectNode object, List<Entry> entries) {
    ArrayNode list = NODES.arrayNode();
    for (Entry entry : entries) {
      if (entry.fields().isEmpty()) {
        continue;
      }
      ObjectNode e = list.addObject();
      e.put("manager", entry.manager())
          .put("operation", entry.operation())
          .put("apiVersion", entry.apiVersion())
          .put("time", entry.time())
          .put("fieldsType", "FieldsV1");
      e.set("fieldsV1", entry.fields().toFieldsV1());
      if (!entry.subresource().isEmpty()) {
        e.put("subresource", entry.subresource());
      }
    }
    if (list.isEmpty()) {
      object.withObject("metadata").remove("managedFields");
    } else {
      object.withObject("metadata").set("managedFields", list);
    }
  }

  /** The part of an object a write on {@code subresource} touches. */
  static String part(String subresource) {
    return subresource.equals("status") ? "status" : "spec";
  }

  /**
   * Records a write other than apply: {@code manager} owns every field it changed, which no other
   * manager owns any longer; fields it removed are no one's.
   *
   * @param before the object before the write, or null for a create
   */
  static void recordUpdate(
      ObjectNode before,
      ObjectNode after,
      String manager,
      String subresource,
      String apiVersion,
      Instant now) {
    String part = part(subresource);
    FieldSet afterFields = FieldSet.of(after, part);
    Set<List<String>> changed = new HashSet<>();
    for (List<String> path : afterFields.paths()) {
      if (before == null
          || !Objects.equals(FieldSet.valueAt(before, path), FieldSet.valueAt(after, path))) {
        changed.add(path);
      }
    }
    Set<List<String>> removed = new HashSet<>();
    if (before != null) {
      for (List<String> path : FieldSet.of(before, part).paths()) {
        if (FieldSet.valueAt(after, path) == null) {
          removed.add(path);
        }
      }
    }
    List<Entry> entries = before == null ? new ArrayList<>() : read(before);
    if (changed.isEmpty() && removed.isEmpty()) {
      write(after, entries);
      return;
    }
    String name = manager.isEmpty() ? "unknown" : manager;
    Set<List<String>> lost = new HashSet<>(changed);
    lost.addAll(removed);
    List<Entry> next = new ArrayList<>();
    boolean found = false;
    for (Entry entry : entries) {
      if (entry.same(name, "Update", subresource)) {
        found = true;
        next.add(
            new Entry(
                name,
                "Update",
                apiVersion,
                subresource,
                KubeTime.of(now),
                entry.fields().minus(removed).plus(changed)));
      } else {
        next.add(
            new Entry(
                entry.manager(),
                entry.operation(),
                entry.apiVersion(),
                entry.subresource(),
                entry.time(),
                entry.fields().minus(lost)));
      }
    }
    if (!found) {
      next.add(
          new Entry(
              name,
              "Update",
              apiVersion,
              subresource,
              KubeTime.of(now),
              FieldSet.empty().plus(changed)));
    }
    write(after, next);
  }
}
