package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSONPath subset CRD {@code additionalPrinterColumns} use, as kube-apiserver evaluates them
 * for a cell (its first result): fields ({@code .spec.replicas}), indices ({@code .items[0]}),
 * {@code [*]} and equality filters ({@code .status.conditions[?(@.type=="Ready")].status}).
 */
final class SimpleJsonPath {
  private static final Pattern FILTER =
      Pattern.compile("\\?\\(@\\.([A-Za-z0-9_.-]+)\\s*==\\s*[\"']([^\"']*)[\"']\\)");

  private final List<String> steps;

  private SimpleJsonPath(List<String> steps) {
    this.steps = steps;
  }

  /**
   * @throws IllegalArgumentException for a path outside the subset
   */
  static SimpleJsonPath parse(String path) {
    String p = path.trim();
    if (p.startsWith("{") && p.endsWith("}")) {
      p = p.substring(1, p.length() - 1);
    }
    if (!p.startsWith(".")) {
      throw new IllegalArgumentException(
          "a printer column's jsonPath must start with '.': " + path);
    }
    List<String> steps = new ArrayList<>();
    int i = 0;
    while (i < p.length()) {
      char c = p.charAt(i);
      if (c == '.') {
        int end = i + 1;
        while (end < p.length() && p.charAt(end) != '.' && p.charAt(end) != '[') {
          end++;
        }
        steps.add(p.substring(i + 1, end));
        i = end;
      } else if (c == '[') {
        int end = p.indexOf(']', i);
        if (end < 0) {
          throw new IllegalArgumentException("unclosed '[' in jsonPath " + path);
        }
        steps.add(p.substring(i, end + 1));
        i = end + 1;
      } else {
        throw new IllegalArgumentException("unexpected '" + c + "' in jsonPath " + path);
      }
    }
    return new SimpleJsonPath(steps);
  }

  /** The first value the path selects, or null when it selects nothing. */
  JsonNode first(JsonNode root) {
    List<JsonNode> current = List.of(root);
    for (String step : steps) {
      List<JsonNode> next = new ArrayList<>();
      for (JsonNode node : current) {
        select(node, step, next);
      }
      current = next;
    }
    return current.isEmpty() ? null : current.get(0);
  }

  private static void select(JsonNode node, String step, List<JsonNode> out) {
    if (!step.startsWith("[")) {
      if (!step.isEmpty() && node.has(step)) {
        out.add(node.get(step));
      }
      return;
    }
    String inner = step.substring(1, step.length() - 1).trim();
    if (!node.isArray()) {
      return;
    }
    if (inner.equals("*")) {
      node.forEach(out::add);
      return;
    }
    Matcher filter = FILTER.matcher(inner);
    if (filter.matches()) {
      String[] field = filter.group(1).split("\\.");
      for (JsonNode element : node) {
        JsonNode value = element;
        for (String f : field) {
          value = value.path(f);
        }
        if (value.isValueNode() && value.asText().equals(filter.group(2))) {
          out.add(element);
        }
      }
      return;
    }
    try {
      int index = Integer.parseInt(inner);
      JsonNode element = node.get(index < 0 ? node.size() + index : index);
      if (element != null) {
        out.add(element);
      }
    } catch (NumberFormatException e) {
      // an expression outside the subset selects nothing, as a failed lookup does
    }
  }
}
