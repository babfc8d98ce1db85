package io.kedge.edge.api.view;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A Kubernetes label selector ({@code a=b,c!=d,e in (x,y),f notin (z),g,!h}) parsed into a
 * predicate on an object's {@code metadata.labels}.
 */
public final class LabelSelector implements Predicate<JsonNode> {
  private record Requirement(String key, String op, Set<String> values) {}

  private final List<Requirement> requirements;

  private LabelSelector(List<Requirement> requirements) {
    this.requirements = requirements;
  }

  /** Whether this selector has no requirement, and so selects every object. */
  public boolean isEverything() {
    return requirements.isEmpty();
  }

  public static LabelSelector everything() {
    return new LabelSelector(List.of());
  }

  /**
   * @throws IllegalArgumentException naming the part that cannot be parsed
   */
  public static LabelSelector parse(String selector) {
    if (selector == null || selector.isBlank()) {
      return everything();
    }
    List<Requirement> requirements = new ArrayList<>();
    for (String part : splitTopLevel(selector)) {
      String p = part.trim();
      if (p.isEmpty()) {
        throw new IllegalArgumentException(
            "empty requirement in label selector '" + selector + "'");
      }
      requirements.add(parseRequirement(p, selector));
    }
    return new LabelSelector(List.copyOf(requirements));
  }

  private static Requirement parseRequirement(String p, String selector) {
    java.util.regex.Matcher set =
        java.util.regex.Pattern.compile("([^\\s!=(),]+)\\s+(in|notin)\\s*\\(([^)]*)\\)").matcher(p);
    if (set.matches()) {
      Set<String> values = new java.util.HashSet<>();
      for (String v : set.group(3).split(",")) {
        values.add(v.trim());
      }
      return new Requirement(checkKey(set.group(1), selector), set.group(2), values);
    }
    if (p.startsWith("!")) {
      return new Requirement(checkKey(p.substring(1).trim(), selector), "!exists", Set.of());
    }
    for (String op : List.of("!=", "==", "=")) {
      int at = p.indexOf(op);
      if (at > 0) {
        String key = checkKey(p.substring(0, at).trim(), selector);
        String value = p.substring(at + op.length()).trim();
        return new Requirement(key, op.equals("!=") ? "!=" : "=", Set.of(value));
      }
    }
    return new Requirement(checkKey(p, selector), "exists", Set.of());
  }

  private static String checkKey(String key, String selector) {
    if (!key.matches(
        "([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")) {
      throw new IllegalArgumentException(
          "invalid label key '" + key + "' in selector '" + selector + "'");
    }
    return key;
  }

  private static List<String> splitTopLevel(String s) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        parts.add(s.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(s.substring(start));
    return parts;
  }

  @Override
  public boolean test(JsonNode object) {
    JsonNode labels = object.path("metadata").path("labels");
    for (Requirement r : requirements) {
      JsonNode value = labels.get(r.key());
      boolean has = value != null && !value.isNull();
      String text = has ? value.asText() : null;
      boolean ok =
          switch (r.op()) {
            case "=", "in" -> has && r.values().contains(text);
            case "!=", "notin" -> !has || !r.values().contains(text);
            case "exists" -> has;
            default -> !has;
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
