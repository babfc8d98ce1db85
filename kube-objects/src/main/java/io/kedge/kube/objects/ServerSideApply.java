package io.kedge.kube.objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.WriteRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Server-side apply ({@code PATCH} with {@code application/apply-patch+yaml}), as kube-apiserver
 * does it: the applied configuration is the manager's whole intent. Its fields are merged into the
 * object; fields the manager applied before and no longer applies are removed unless another
 * manager owns them; a field another manager set to another value is a conflict (409 naming the
 * managers and fields) unless {@code force} takes it over.
 */
final class ServerSideApply {
  static final String APPLY_PATCH = "application/apply-patch+yaml";

  private ServerSideApply() {}

  /** Applies {@code config} to {@code current} (not null); returns the next object or a Status. */
  static Result apply(WriteRequest request, ObjectNode current, ObjectNode config, Instant now) {
    String manager = request.fieldManager();
    String subresource = request.subresource();
    String part = ManagedFields.part(subresource);
    FieldSet applied = FieldSet.of(config, part);
    List<ManagedFields.Entry> entries = ManagedFields.read(current);

    Map<List<String>, List<ManagedFields.Entry>> conflicts = new LinkedHashMap<>();
    for (List<String> path : applied.paths()) {
      String last = path.get(path.size() - 1);
      if (last.equals(".") || last.startsWith("v:")) {
        continue; // an element's presence or a set's value never differs
      }
      JsonNode held = FieldSet.valueAt(current, path);
      if (held == null || held.equals(FieldSet.valueAt(config, path))) {
        continue;
      }
      for (ManagedFields.Entry entry : entries) {
        if (!entry.same(manager, "Apply", subresource)
            && entry.subresource().equals(subresource)
            && entry.fields().contains(path)) {
          conflicts.computeIfAbsent(path, p -> new ArrayList<>()).add(entry);
        }
      }
    }
    if (!conflicts.isEmpty() && !request.force()) {
      return new Result(null, conflict(conflicts));
    }
    Set<List<String>> taken = conflicts.keySet();
    ManagedFields.Entry previous = null;
    List<ManagedFields.Entry> others = new ArrayList<>();
    for (ManagedFields.Entry entry : entries) {
      if (entry.same(manager, "Apply", subresource)) {
        previous = entry;
      } else {
        others.add(
            taken.isEmpty()
                ? entry
                : new ManagedFields.Entry(
                    entry.manager(),
                    entry.operation(),
                    entry.apiVersion(),
                    entry.subresource(),
                    entry.time(),
                    entry.fields().minus(taken)));
      }
    }

    ObjectNode next = current.deepCopy();
    if (previous != null) {
      for (List<String> path : previous.fields().paths()) {
        if (!applied.contains(path) && others.stream().noneMatch(e -> e.fields().contains(path))) {
          FieldSet.remove(next, path); // no longer applied, and no one else wants it
        }
      }
    }
    FieldSet.merge(next, intent(config, part));

    ObjectNode unchangedCheck = next.deepCopy();
    ManagedFields.write(unchangedCheck, entries);
    boolean same =
        previous != null
            && previous.fields().paths().equals(applied.paths())
            && unchangedCheck.equals(current);
    List<ManagedFields.Entry> result = new ArrayList<>(others);
    result.add(
        new ManagedFields.Entry(
            manager,
            "Apply",
            config.path("apiVersion").asText(""),
            subresource,
            same ? previous.time() : KubeTime.of(now),
            applied));
    ManagedFields.write(next, result);
    return new Result(next, null);
  }

  /** The next object, or the Status that refuses the apply. */
  record Result(ObjectNode object, ObjectNode refusal) {}

  /** What an apply may set: the object less its server-owned parts and the other part. */
  private static ObjectNode intent(ObjectNode config, String part) {
    ObjectNode intent = config.deepCopy();
    intent.withObject("metadata").remove("managedFields");
    if (part.equals("spec")) {
      intent.remove("status");
    } else {
      intent.retain("status", "apiVersion", "kind");
    }
    return intent;
  }

  /** 409 as kube-apiserver words it: the managers and the fields in conflict. */
  private static ObjectNode conflict(Map<List<String>, List<ManagedFields.Entry>> conflicts) {
    Map<String, List<String>> byManager = new LinkedHashMap<>();
    ObjectNode status = KubeStatus.failure(409, "Conflict", "");
    ArrayNode causes = status.putObject("details").putArray("causes");
    int count = 0;
    for (Map.Entry<List<String>, List<ManagedFields.Entry>> conflict : conflicts.entrySet()) {
      String field = FieldSet.describe(conflict.getKey());
      for (ManagedFields.Entry owner : conflict.getValue()) {
        String manager = describe(owner);
        byManager.computeIfAbsent(manager, m -> new ArrayList<>()).add(field);
        causes
            .addObject()
            .put("reason", "FieldManagerConflict")
            .put("message", "conflict with " + manager)
            .put("field", field);
        count++;
      }
    }
    String message;
    if (count == 1) {
      var only = byManager.entrySet().iterator().next();
      message =
          "Apply failed with 1 conflict: conflict with "
              + only.getKey()
              + ": "
              + only.getValue().get(0);
    } else {
      List<String> parts = new ArrayList<>();
      byManager.forEach(
          (manager, fields) ->
              parts.add(
                  "conflicts with "
                      + manager
                      + (fields.size() == 1
                          ? ": " + fields.get(0)
                          : "\n- " + String.join("\n- ", fields))));
      parts.sort(String::compareTo);
      message = "Apply failed with " + count + " conflicts: " + String.join("\n", parts);
    }
    status.put("message", message);
    return status;
  }

  private static String describe(ManagedFields.Entry entry) {
    String name = "\"" + entry.manager() + "\"";
    if (!entry.subresource().isEmpty()) {
      name += " with subresource \"" + entry.subresource() + "\"";
    }
    if (entry.operation().equals("Update")) {
      name +=
          " using " + entry.apiVersion() + (entry.time().isEmpty() ? "" : " at " + entry.time());
    }
    return name;
  }
}
