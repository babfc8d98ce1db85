package io.kedge.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Map;
import java.util.Objects;

/**
 * An edge service's answer to a servicebus {@link RuleMessage} {@code messageId}: the HTTP status,
 * headers and body it gave, sent up so that the REST ingress can answer its caller.
 */
public record RuleResponse(
    String messageId, String node, int code, Map<String, String> headers, byte[] payload)
    implements EventData {
  public RuleResponse {
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(node, "node");
    if (code < 100 || code > 599) {
      throw new IllegalArgumentException("code " + code + " is not an HTTP status code");
    }
    headers = headers == null ? Map.of() : Map.copyOf(headers);
    payload = payload == null ? new byte[0] : payload.clone();
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  @JsonIgnore
  @Override
  public EventType type() {
    return EventType.RULE_RESPONSE;
  }
}
