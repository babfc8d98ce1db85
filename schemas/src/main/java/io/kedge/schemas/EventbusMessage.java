package io.kedge.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Objects;

/**
 * A message an edge app published on the node's MQTT eventbus, forwarded to the cloud for the rules
 * whose source it matches. {@code messageId} is the stable uplink id (node + uplink index).
 */
public record EventbusMessage(String messageId, String node, String topic, byte[] payload)
    implements EventData {
  public EventbusMessage {
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(topic, "topic");
    payload = payload == null ? new byte[0] : payload.clone();
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  @JsonIgnore
  @Override
  public EventType type() {
    return EventType.EVENTBUS_MESSAGE;
  }
}
