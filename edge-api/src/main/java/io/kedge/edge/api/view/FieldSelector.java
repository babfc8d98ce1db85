package io.kedge.edge.api.view;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * A field selector with {@code =}, {@code ==} and {@code !=} on the fields kube-apiserver supports:
 * {@code metadata.name} and {@code metadata.namespace} everywhere, and each kind's own (its
 * registry's selectable fields: a pod's {@code spec.nodeName}, an event's {@code
 * involvedObject.name}, a secret's {@code type}...). A field the object lacks reads as empty.
 */
public final class FieldSelector implements Predicate<JsonNode> {
  /**
   * Selector label → the object's JSON path, per kind (as kube-apiserver's registries map them).
   */
  private static final Map<String, Map<String, String>> BY_KIND =
      Map.of(
          "Pod",
          Map.of(
              "spec.nodeName", "spec.nodeName",
              "spec.restartPolicy", "spec.restartPolicy",
              "spec.schedulerName", "spec.schedulerName",
              "spec.serviceAccountName", "spec.serviceAccountName",
              "spec.hostNetwork", "spec.hostNetwork",
              "status.phase", "status.phase",
              "status.podIP", "status.podIP",
              "status.nominatedNodeName", "status.nominatedNodeName"),
          "Event",
          Map.ofEntries(
              Map.entry("involvedObject.kind", "involvedObject.kind"),
              Map.entry("involvedObject.namespace", "involvedObject.namespace"),
              Map.entry("involvedObject.name", "involvedObject.name"),
              Map.entry("involvedObject.uid", "involvedObject.uid"),
              Map.entry("involvedObject.apiVersion", "involvedObject.apiVersion"),
              Map.entry("involvedObject.resourceVersion", "involvedObject.resourceVersion"),
              Map.entry("involvedObject.fieldPath", "involvedObject.fieldPath"),
              Map.entry("reason", "reason"),
              Map.entry("reportingComponent", "reportingComponent"),
              Map.entry("source", "source.component"),
              Map.entry("type", "type")),
          "Secret",
          Map.of("type", "type"),
          "Namespace",
          Map.of("status.phase", "status.phase"),
          "Node",
          Map.of("spec.unschedulable", "spec.unschedulable"),
          "Service",
          Map.of("spec.clusterIP", "spec.clusterIP", "spec.type", "spec.type"));

  private static final Map<String, String> COMMON =
      Map.of("metadata.name", "metadata.name", "metadata.namespace", "metadata.namespace");

  /** Booleans kube-apiserver reads as {@code false} when the object leaves them out. */
  private static final java.util.Set<String> BOOLEANS =
      java.util.Set.of("spec.hostNetwork", "spec.unschedulable");

  private record Requirement(String[] path, boolean equal, String value, String absent) {}

  private final List<Requirement> requirements;

  private FieldSelector(List<Requirement> requirements) {
    this.requirements = requirements;
  }

  /** Whether this selector has no requirement, and so selects every object. */
  public boolean isEverything() {
    return requirements.isEmpty();
  }

  /**
   * @throws IllegalArgumentException naming an unsupported field or a malformed requirement
   */
  public static FieldSelector parse(String selector, String kind) {
    List<Requirement> requirements = new ArrayList<>();
    if (selector != null && !selector.isBlank()) {
      Map<String, String> fields = BY_KIND.getOrDefault(kind, Map.of());
      for (String part : selector.split(",")) {
        String p = part.trim();
        boolean notEqual = p.contains("!=");
        String op = notEqual ? "!=" : p.contains("==") ? "==" : "=";
        int at = p.indexOf(op);
        if (at <= 0) {
          throw new IllegalArgumentException("invalid field selector requirement '" + p + "'");
        }
        String field = p.substring(0, at).trim();
        String path = COMMON.getOrDefault(field, fields.get(field));
        if (path == null) {
          TreeSet<String> supported = new TreeSet<>(COMMON.keySet());
          supported.addAll(fields.keySet());
          throw new IllegalArgumentException(
              "field label not supported: \""
                  + field
                  + "\" (supported for "
                  + kind
                  + ": "
                  + String.join(", ", supported)
                  + ")");
        }
        requirements.add(
            new Requirement(
                path.split("\\."),
                !notEqual,
                p.substring(at + op.length()).trim(),
                BOOLEANS.contains(field) ? "false" : ""));
      }
    }
    return new FieldSelector(List.copyOf(requirements));
  }

  @Override
  public boolean test(JsonNode object) {
    for (Requirement r : requirements) {
      JsonNode node = object;
      for (String step : r.path()) {
        node = node.path(step);
      }
      String actual = node.isValueNode() ? node.asText() : r.absent();
      if (actual.equals(r.value()) != r.equal()) {
        return false;
      }
    }
    return true;
  }
}
