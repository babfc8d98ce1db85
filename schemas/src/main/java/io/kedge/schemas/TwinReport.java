package io.kedge.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Map;
import java.util.Objects;

/**
 * Reported twin values of a device, from the KubeEdge MQTT twin contract ({@code
 * $hw/events/device/{id}/twin/update}). Values stay strings, as in KubeEdge; {@code type} is the
 * twin's declared type.
 */
public record TwinReport(
    String node,
    String deviceNamespace,
    String deviceId,
    long timestampMs,
    Map<String, ReportedValue> twin)
    implements EventData {

  /** One reported property value. */
  public record ReportedValue(String value, String type, long timestampMs) {
    public ReportedValue {
      Objects.requireNonNull(value, "value");
      type = type == null ? "" : type;
    }
  }

  public TwinReport {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(deviceId, "deviceId");
    deviceNamespace = deviceNamespace == null ? "" : deviceNamespace;
    twin = twin == null ? Map.of() : Map.copyOf(twin);
  }

  @JsonIgnore
  @Override
  public EventType type() {
    return EventType.TWIN_REPORT;
  }
}
