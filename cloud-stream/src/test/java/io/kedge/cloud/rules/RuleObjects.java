package io.kedge.cloud.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.objects.RuleManifests;
import java.util.Map;

/** Rule, RuleEndpoint and Node objects as users write them (KubeEdge's YAML, as JSON). */
final class RuleObjects {
  private RuleObjects() {}

  static ObjectNode endpoint(String namespace, String name, String type) {
    return RuleManifests.endpoint(namespace, name, type);
  }

  /** rest → eventbus: {@code POST /{node}/{ns}{path}} published on {@code topic}. */
  static ObjectNode restToEventbus(
      String namespace, String name, String source, String target, String path, String topic) {
    return RuleManifests.rule(
        namespace, name, source, Map.of("path", path), target, Map.of("topic", topic));
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
    return RuleManifests.rule(
        namespace,
        name,
        source,
        Map.of("topic", topic, "node_name", node),
        target,
        Map.of("resource", url));
  }

  static ObjectNode node(String name) {
    ObjectNode node = EventCodec.json().createObjectNode();
    node.put("apiVersion", "v1").put("kind", "Node");
    node.putObject("metadata").put("name", name);
    return node;
  }
}
