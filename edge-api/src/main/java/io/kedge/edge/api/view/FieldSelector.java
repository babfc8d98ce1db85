package io.kedge.edge.api.view;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A field selector on the fields Kubernetes supports everywhere ({@code metadata.name}, {@code
 * metadata.namespace}) and for pods ({@code spec.nodeName}, {@code status.phase}), with {@code =},
 * {@code ==} and {@code !=}.
 */
public final class FieldSelector implements Predicate<JsonNode> {
  private static final Set<String> COMMON = Set.of("metadata.name", "metadata.namespace");
  private static final Set<String> POD = Set.of("spec.nodeName", "status.phase");

  private record Requirement(String field, boolean equal, String value) {}

  private final List<Requirement> requirements;

  private FieldSelector(List<Requirement> requirements) {
    this.requirements = requirements;
  }

  /**
   * @throws IllegalArgumentException naming an unsupported field or a malformed requirement
   */
  public static FieldSelector parse(String selector, String kind) {
    List<Requirement> requirements = new ArrayList<>();
    if (selector != null && !selector.isBlank()) {
      for (String part : selector.split(",")) {
        String p = part.trim();
        boolean notEqual = p.contains("!=");
        String op = notEqual ? "!=" : p.contains("==") ? "==" : "=";
        int at = p.indexOf(op);
        if (at <= 0) {
          throw new IllegalArgumentException("invalid field selector requirement '" + p + "'");
        }
        String field = p.substring(0, at).trim();
        if (!COMMON.contains(field) && !("Pod".equals(kind) && POD.contains(field))) {
          throw new IllegalArgumentException(
              "field label not supported: \""
                  + field
                  + "\" (supported: metadata.name, metadata.namespace"
                  + ("Pod".equals(kind) ? ", spec.nodeName, status.phase)" : ")"));
        }
        requirements.add(new Requirement(field, !notEqual, p.substring(at + op.length()).trim()));
      }
    }
    return new FieldSelector(List.copyOf(requirements));
  }

  @Override
  public boolean test(JsonNode object) {
    for (Requirement r : requirements) {
      String[] path = r.field().split("\\.");
      String actual = object.path(path[0]).path(path[1]).asText("");
      if (actual.equals(r.value()) != r.equal()) {
        return false;
      }
    }
    return true;
  }
}
