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
    Map<String, String> fields = BY_KIND.getOrDefault(kind, Map.of());
    for (Term term : terms(selector == null ? "" : selector)) {
      String path = COMMON.getOrDefault(term.field(), fields.get(term.field()));
      if (path == null) {
        TreeSet<String> supported = new TreeSet<>(COMMON.keySet());
        supported.addAll(fields.keySet());
        throw new IllegalArgumentException(
            "field label not supported: \""
                + term.field()
                + "\" (supported for "
                + kind
                + ": "
                + String.join(", ", supported)
                + ")");
      }
      requirements.add(
          new Requirement(
              path.split("\\."),
              !term.op().equals("!="),
              term.value(),
              BOOLEANS.contains(term.field()) ? "false" : ""));
    }
    return new FieldSelector(List.copyOf(requirements));
  }

  /** One requirement as written: field, operator ({@code =}, {@code ==}, {@code !=}), value. */
  record Term(String field, String op, String value) {}

  /**
   * The requirements of a field selector as kube-apiserver splits them: on commas a backslash does
   * not escape, empty ones skipped; each at its first operator; the value unescaped ({@code \\},
   * {@code \,}, {@code \=}), where a bare {@code ,} or {@code =} or any other escape is an error.
   */
  static List<Term> terms(String selector) {
    List<Term> terms = new ArrayList<>();
    for (String part : splitUnescaped(selector)) {
      if (part.isEmpty()) {
        continue;
      }
      terms.add(term(part, selector));
    }
    return terms;
  }

  private static List<String> splitUnescaped(String selector) {
    List<String> parts = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < selector.length(); i++) {
      char c = selector.charAt(i);
      if (c == '\\') {
        i++; // the escaped character is part of the term
      } else if (c == ',') {
        parts.add(selector.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(selector.substring(start));
    return parts;
  }

  private static Term term(String part, String selector) {
    for (int i = 0; i < part.length(); i++) {
      if (part.charAt(i) == '\\') {
        i++;
        continue;
      }
      for (String op : List.of("!=", "==", "=")) {
        if (part.startsWith(op, i)) {
          return new Term(
              part.substring(0, i), op, unescape(part.substring(i + op.length()), selector));
        }
      }
    }
    throw new IllegalArgumentException(
        "invalid field selector '" + selector + "': '" + part + "' has no =, == or !=");
  }

  private static String unescape(String value, String selector) {
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\') {
        char next = i + 1 < value.length() ? value.charAt(i + 1) : 0;
        if (next != '\\' && next != ',' && next != '=') {
          throw new IllegalArgumentException(
              "invalid field selector '"
                  + selector
                  + "': invalid escape sequence in value '"
                  + value
                  + "' (only \\\\, \\, and \\= are escapes)");
        }
        out.append(next);
        i++;
      } else if (c == ',' || c == '=') {
        throw new IllegalArgumentException(
            "invalid field selector '"
                + selector
                + "': value '"
                + value
                + "' holds an unescaped '"
                + c
                + "' (write \\"
                + c
                + ")");
      } else {
        out.append(c);
      }
    }
    return out.toString();
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
