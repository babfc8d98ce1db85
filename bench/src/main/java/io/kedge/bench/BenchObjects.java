package io.kedge.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;

/** The Kubernetes objects the end-to-end benchmarks publish. */
final class BenchObjects {
  private BenchObjects() {}

  static ObjectNode node(String name) {
    ObjectNode node = EventCodec.json().createObjectNode();
    node.put("apiVersion", "v1").put("kind", "Node");
    node.putObject("metadata").put("name", name);
    return node;
  }

  /** A pod bound to {@code node}, labelled {@code version}, in the default namespace. */
  static ObjectNode pod(String name, String node, String version) {
    ObjectNode pod = EventCodec.json().createObjectNode();
    pod.put("apiVersion", "v1").put("kind", "Pod");
    pod.putObject("metadata")
        .put("name", name)
        .put("namespace", "default")
        .putObject("labels")
        .put("app", "bench")
        .put("version", version);
    pod.putObject("spec")
        .put("nodeName", node)
        .putArray("containers")
        .addObject()
        .put("name", "app")
        .put("image", "registry.example.com/app:1.0");
    return pod;
  }
}
