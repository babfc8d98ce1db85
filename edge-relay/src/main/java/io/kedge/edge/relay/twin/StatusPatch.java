package io.kedge.edge.relay.twin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.twin.TwinContract.Reported;
import java.time.Clock;
import java.util.Map;

/**
 * JSON patches of a Device's status that touch only what a mapper or an edge app reported: the twin
 * bridge's writes.
 */
final class StatusPatch {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private StatusPatch() {}

  /**
   * The operations that bring {@code device}'s status to the reported values and state; empty when
   * nothing changes. Existing twins are tested by name before their {@code reported} is replaced,
   * so a concurrent reorder fails the write instead of touching the wrong twin; desired values are
   * not touched.
   */
  static ArrayNode of(JsonNode device, Map<String, Reported> reported, String state) {
    return of(device, reported, state, Map.of(), Clock.systemUTC());
  }

  /**
   * The same, also setting the desired values edge apps set ({@code expected} in KubeEdge's
   * twin/update), which the cloud then holds and the mapper gets as a delta.
   */
  static ArrayNode of(
      JsonNode device,
      Map<String, Reported> reported,
      String state,
      Map<String, String> expected,
      Clock clock) {
    ArrayNode ops = NODES.arrayNode();
    JsonNode status = device.path("status");
    JsonNode twins = status.path("twins");
    ArrayNode added = NODES.arrayNode();
    for (Map.Entry<String, String> entry : expected.entrySet()) {
      String prop = entry.getKey();
      int index = indexOf(twins, prop);
      JsonNode current = index < 0 ? NODES.missingNode() : twins.get(index).path("desired");
      if (entry.getValue().equals(current.path("value").asText(null))) {
        continue;
      }
      ObjectNode desired = NODES.objectNode().put("value", entry.getValue());
      ObjectNode metadata = desired.putObject("metadata");
      if (current.path("metadata").isObject()) {
        metadata.setAll((ObjectNode) current.path("metadata").deepCopy());
      }
      metadata.put("timestamp", Long.toString(clock.millis()));
      if (index < 0) {
        added.addObject().put("propertyName", prop).set("desired", desired);
      } else {
        setTwinField(ops, index, prop, "desired", desired);
      }
    }
    for (Map.Entry<String, Reported> entry : reported.entrySet()) {
      String prop = entry.getKey();
      int index = indexOf(twins, prop);
      JsonNode current = index < 0 ? NODES.missingNode() : twins.get(index).path("reported");
      ObjectNode next = reportedNode(current, entry.getValue());
      if (sameReport(current, next)) {
        continue;
      }
      if (index < 0) {
        ObjectNode twin = null;
        for (JsonNode a : added) {
          if (prop.equals(a.path("propertyName").asText())) {
            twin = (ObjectNode) a;
          }
        }
        (twin == null ? added.addObject().put("propertyName", prop) : twin).set("reported", next);
      } else {
        setTwinField(ops, index, prop, "reported", next);
      }
    }
    boolean stateChanged = state != null && !state.equals(status.path("state").asText(null));
    if (!status.isObject()) {
      if (added.isEmpty() && !stateChanged) {
        return ops;
      }
      ObjectNode value = NODES.objectNode();
      if (!added.isEmpty()) {
        value.set("twins", added);
      }
      if (stateChanged) {
        value.put("state", state);
      }
      ops.addObject().put("op", "add").put("path", "/status").set("value", value);
      return ops;
    }
    if (!added.isEmpty()) {
      if (twins.isArray()) {
        for (JsonNode twin : added) {
          ops.addObject().put("op", "add").put("path", "/status/twins/-").set("value", twin);
        }
      } else {
        ops.addObject().put("op", "add").put("path", "/status/twins").set("value", added);
      }
    }
    if (stateChanged) {
      ops.addObject().put("op", "add").put("path", "/status/state").put("value", state);
    }
    return ops;
  }

  /**
   * Sets {@code field} of the twin at {@code index}, tested by name first: a list reordered
   * meanwhile fails the write instead of changing another twin.
   */
  private static void setTwinField(
      ArrayNode ops, int index, String prop, String field, JsonNode value) {
    ops.addObject()
        .put("op", "test")
        .put("path", "/status/twins/" + index + "/propertyName")
        .put("value", prop);
    ops.addObject()
        .put("op", "add")
        .put("path", "/status/twins/" + index + "/" + field)
        .set("value", value);
  }

  private static int indexOf(JsonNode twins, String prop) {
    for (int i = 0; i < twins.size(); i++) {
      if (prop.equals(twins.get(i).path("propertyName").asText())) {
        return i;
      }
    }
    return -1;
  }

  /** KubeEdge's reported twin: value and string metadata (timestamp, type; error if any). */
  private static ObjectNode reportedNode(JsonNode current, Reported report) {
    ObjectNode next = NODES.objectNode();
    String value = report.value() != null ? report.value() : current.path("value").asText(null);
    if (value != null) {
      next.put("value", value);
    }
    ObjectNode metadata = next.putObject("metadata");
    metadata.put("timestamp", Long.toString(report.timestampMs()));
    String type =
        report.type().isEmpty() ? current.path("metadata").path("type").asText("") : report.type();
    if (!type.isEmpty()) {
      metadata.put("type", type);
    }
    if (report.failed()) {
      metadata.put("error", report.error());
    }
    return next;
  }

  /** Equal but for the timestamp: not worth a write. */
  private static boolean sameReport(JsonNode current, ObjectNode next) {
    if (!current.isObject()) {
      return false;
    }
    ObjectNode a = current.deepCopy();
    ObjectNode b = next.deepCopy();
    if (a.path("metadata") instanceof ObjectNode metadata) {
      metadata.remove("timestamp");
    }
    b.withObject("metadata").remove("timestamp");
    return a.equals(b);
  }
}
