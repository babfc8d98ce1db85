package io.kedge.bench.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceUpsert;

/** The objects the benchmarks work on: a pod as edge nodes receive them, about 1 KiB. */
final class Samples {
  private Samples() {}

  static ObjectNode pod(int i) {
    ObjectNode pod = EventCodec.json().createObjectNode();
    pod.put("apiVersion", "v1").put("kind", "Pod");
    ObjectNode metadata =
        pod.putObject("metadata")
            .put("name", "web-" + i)
            .put("namespace", "default")
            .put("uid", "6f1f5b4e-0c3a-4a57-9b7e-" + String.format("%012d", i))
            .put("resourceVersion", Integer.toString(1000 + i));
    metadata.putObject("labels").put("app", "web").put("tier", "front");
    metadata.putObject("annotations").put("kedge.io/note", "x".repeat(200));
    ObjectNode spec = pod.putObject("spec").put("nodeName", "edge-1");
    ObjectNode container = spec.putArray("containers").addObject();
    container.put("name", "app").put("image", "registry.example.com/web:1.4.2");
    container.putArray("args").add("--port=8080").add("--log=info");
    container.putArray("env").addObject().put("name", "MODE").put("value", "edge");
    container.putArray("ports").addObject().put("containerPort", 8080).put("protocol", "TCP");
    spec.putArray("tolerations")
        .addObject()
        .put("key", "node.kubernetes.io/unreachable")
        .put("operator", "Exists")
        .put("effect", "NoExecute");
    pod.putObject("status").put("phase", "Running").put("podIP", "10.1.0." + (i % 250));
    return pod;
  }

  static ResourceUpsert upsert(int i) {
    ObjectNode pod = pod(i);
    return new ResourceUpsert(ObjectKey.of(pod), Integer.toString(1000 + i), pod);
  }
}
