package io.kedge.kube.objects;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import java.util.Map;

/**
 * KubeEdge's Rule and RuleEndpoint objects ({@code rules.kubeedge.io/v1}) as users write them, for
 * the tools and tests that make them.
 */
public final class RuleManifests {
  private RuleManifests() {}

  public static ObjectNode endpoint(String namespace, String name, String type) {
    ObjectNode endpoint = EventCodec.json().createObjectNode();
    endpoint.put("apiVersion", "rules.kubeedge.io/v1").put("kind", "RuleEndpoint");
    endpoint.putObject("metadata").put("name", name).put("namespace", namespace);
    endpoint.putObject("spec").put("ruleEndpointType", type).putObject("properties");
    return endpoint;
  }

  /** A rule from endpoint {@code source} to {@code target}, with their resource maps. */
  public static ObjectNode rule(
      String namespace,
      String name,
      String source,
      Map<String, String> sourceResource,
      String target,
      Map<String, String> targetResource) {
    ObjectNode rule = EventCodec.json().createObjectNode();
    rule.put("apiVersion", "rules.kubeedge.io/v1").put("kind", "Rule");
    rule.putObject("metadata").put("name", name).put("namespace", namespace);
    ObjectNode spec = rule.putObject("spec").put("source", source).put("target", target);
    ObjectNode from = spec.putObject("sourceResource");
    sourceResource.forEach(from::put);
    ObjectNode to = spec.putObject("targetResource");
    targetResource.forEach(to::put);
    return rule;
  }
}
