package io.kedge.kube.authorization;

import io.kedge.schemas.ObjectKey;
import java.util.List;

/**
 * The writes an operator lets every node make beyond its own objects: each rule is {@code
 * apiVersion/Kind} (any namespace), {@code apiVersion/Kind@namespace}, or {@code *} (everything,
 * for a trusted lab). {@code v1/ConfigMap@shop} lets nodes write ConfigMaps in namespace {@code
 * shop}; {@code coordination.k8s.io/v1/Lease@operators} lets edge operators elect leaders there.
 */
public final class NodeWriteRules {
  /** No writes beyond the node's own objects: Kubernetes' NodeRestriction. */
  public static final NodeWriteRules NONE = new NodeWriteRules(List.of());

  /** Every write: nodes are trusted (the all-in-one's playground, tests of other features). */
  public static final NodeWriteRules ALL = new NodeWriteRules(List.of("*"));

  private record Rule(String apiVersion, String kind, String namespace) {
    boolean matches(ObjectKey key) {
      return apiVersion.equals("*")
          || (apiVersion.equals(key.apiVersion())
              && kind.equals(key.kind())
              && (namespace.isEmpty() || namespace.equals(key.namespace())));
    }
  }

  private final List<Rule> rules;
  private final List<String> text;

  private NodeWriteRules(List<String> text) {
    this.text = List.copyOf(text);
    this.rules = text.stream().map(NodeWriteRules::rule).toList();
  }

  /**
   * Parses {@code rules}.
   *
   * @throws IllegalArgumentException naming the rule that is not {@code
   *     apiVersion/Kind[@namespace]} or {@code *}
   */
  public static NodeWriteRules parse(List<String> rules) {
    return new NodeWriteRules(rules.stream().map(String::trim).filter(r -> !r.isEmpty()).toList());
  }

  private static Rule rule(String text) {
    if (text.equals("*")) {
      return new Rule("*", "*", "");
    }
    String namespace = "";
    String kindPart = text;
    int at = text.indexOf('@');
    if (at >= 0) {
      namespace = text.substring(at + 1);
      kindPart = text.substring(0, at);
    }
    int slash = kindPart.lastIndexOf('/');
    String apiVersion = slash < 0 ? "" : kindPart.substring(0, slash);
    String kind = slash < 0 ? "" : kindPart.substring(slash + 1);
    if (apiVersion.isEmpty()
        || kind.isEmpty()
        || !Character.isUpperCase(kind.charAt(0))
        || (at >= 0 && namespace.isEmpty())
        || apiVersion.split("/").length > 2) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' must be apiVersion/Kind, apiVersion/Kind@namespace or *"
              + " (e.g. v1/ConfigMap@shop)");
    }
    return new Rule(apiVersion, kind, namespace);
  }

  public boolean allows(ObjectKey key) {
    return rules.stream().anyMatch(rule -> rule.matches(key));
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  @Override
  public String toString() {
    return String.join(", ", text);
  }
}
