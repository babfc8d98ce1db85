package io.kedge.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;

/**
 * Connection state of a device as its mapper sees it ({@code $hw/events/device/{id}/state/update}).
 */
public record DeviceState(
    String node, String deviceNamespace, String deviceId, State state, long timestampMs)
    implements EventData {

  /** The states KubeEdge's device twin understands. */
  public enum State {
    ONLINE,
    OFFLINE,
    UNKNOWN;

    @JsonValue
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public DeviceState {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(state, "state");
    deviceNamespace = deviceNamespace == null ? "" : deviceNamespace;
  }

  @JsonIgnore
  @Override
  public EventType type() {
    return EventType.DEVICE_STATE;
  }
}
