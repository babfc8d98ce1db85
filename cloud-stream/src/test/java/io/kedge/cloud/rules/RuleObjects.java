package io.kedge.cloud.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;

/** Rule, RuleEndpoint and Node objects as users write them (KubeEdge's YAML, as JSON). */
final class RuleObjects {
  private RuleObjects() {}

  static ObjectNode endpoint(String namespace, String name, String type) {
    ObjectNode endpoint = EventCodec.json().createObjectNode();
    endpoint.put("apiVersion", "rules.kubeedge.io/v1").put("kind", "RuleEndpoint");
    endpoint.putObject("metadata").put("name", name).put("namespace", namespace);
    endpoint.putObject("spec").put("ruleEndpointType", type).putObject("properties");
    return endpoint;
  }

  /** rest → eventbus: {@code POST /{node}/{ns}{path}} published on {@code topic}. */
  static ObjectNode restToEventbus(
      String namespace, String name, String source, String target, String path, String topic) {
    ObjectNode rule = rule(namespace, name, source, target);
    rule.withObject("spec").putObject("sourceResource").put("path", path);
    rule.withObject("spec").putObject("targetResource").put("topic", topic);
    return rule;
  }

  /** eventbus → rest: {@code {ns}/{topic}} on {@code node} POSTed to {@code url}. */
  static ObjectNode eventbusToRest(
      String namespace,
      String name,
      String source,
      String target,
      String topic,
      String node,
      String url) {
    ObjectNode rule = rule(namespace, name, source, target);
    rule.withObject("spec").putObject("sourceResource").put("topic", topic).put("node_name", node);
    rule.withObject("spec").putObject("targetResource").put("resource", url);
    return rule;
  }

  private static ObjectNode rule(String namespace, String name, String source, String target) {
    ObjectNode rule = EventCodec.json().createObjectNode();
    rule.put("apiVersion", "rules.kubeedge.io/v1").put("kind", "Rule");
    rule.putObject("metadata").put("name", name).put("namespace", namespace);
    rule.putObject("spec").put("source", source).put("target", target);
    return rule;
  }

  static ObjectNode node(String name) {
    ObjectNode node = EventCodec.json().createObjectNode();
    node.put("apiVersion", "v1").put("kind", "Node");
    node.putObject("metadata").put("name", name);
    return node;
  }
}
