package io.kedge.edge.api.view;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceDelete;
import io.kedge.schemas.ResourceUpsert;
import java.net.URI;

/** Builders for Kubernetes objects and the log events that carry them. */
public final class TestObjects {
  private static final URI SOURCE = URI.create("/kedge/test");

  private TestObjects() {}

  public static ObjectNode pod(
      String namespace, String name, String node, String phase, String... labels) {
    ObjectNode pod = EventCodec.json().createObjectNode();
    pod.put("apiVersion", "v1").put("kind", "Pod");
    ObjectNode metadata = pod.putObject("metadata");
    metadata
        .put("name", name)
        .put("namespace", namespace)
        .put("creationTimestamp", "2026-11-26T00:00:00Z");
    ObjectNode labelNode = metadata.putObject("labels");
    for (int i = 0; i + 1 < labels.length; i += 2) {
      labelNode.put(labels[i], labels[i + 1]);
    }
    pod.putObject("spec")
        .put("nodeName", node)
        .putArray("containers")
        .addObject()
        .put("name", "app")
        .put("image", "nginx");
    pod.putObject("status").put("phase", phase);
    return pod;
  }

  public static KedgeEvent upsert(ObjectNode object, String cloudResourceVersion) {
    return KedgeEvent.of(
        SOURCE, "", new ResourceUpsert(ObjectKey.of(object), cloudResourceVersion, object));
  }

  public static KedgeEvent delete(ObjectNode object) {
    return KedgeEvent.of(SOURCE, "", new ResourceDelete(ObjectKey.of(object), ""));
  }

  /** A CustomResourceDefinition serving {@code widgets.example.com/v1}, namespaced. */
  public static ObjectNode widgetCrd() {
    ObjectNode crd = EventCodec.json().createObjectNode();
    crd.put("apiVersion", "apiextensions.k8s.io/v1").put("kind", "CustomResourceDefinition");
    crd.putObject("metadata").put("name", "widgets.example.com");
    ObjectNode spec = crd.putObject("spec");
    spec.put("group", "example.com").put("scope", "Namespaced");
    spec.putObject("names").put("kind", "Widget").put("plural", "widgets");
    spec.putArray("versions").addObject().put("name", "v1").put("served", true);
    return crd;
  }
}
