package io.kedge.cloud.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.kube.objects.RuleManifests;
import io.kedge.schemas.EventCodec;
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

  /**
   * A book with node edge-1 and rule default/greet: rest {@code /greet} → eventbus {@code topic}.
   */
  static RuleBook greetBook(String topic) {
    RuleBook book = new RuleBook();
    for (ObjectNode o :
        java.util.List.of(
            node("edge-1"),
            endpoint("default", "rest-in", "rest"),
            endpoint("default", "mqtt", "eventbus"),
            restToEventbus("default", "greet", "rest-in", "mqtt", "/greet", topic))) {
      book.apply(io.kedge.schemas.ObjectKey.of(o), o);
    }
    return book;
  }

  static ObjectNode node(String name) {
    ObjectNode node = EventCodec.json().createObjectNode();
    node.put("apiVersion", "v1").put("kind", "Node");
    node.putObject("metadata").put("name", name);
    return node;
  }
}
