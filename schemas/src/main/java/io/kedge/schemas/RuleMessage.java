package io.kedge.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Map;
import java.util.Objects;

/**
 * A message routed by a Rule from the cloud to an edge node: {@code targetType} is the target
 * endpoint type ({@code eventbus}, {@code servicebus}) and {@code target} its resource (an MQTT
 * topic or an HTTP path). The body is carried unchanged.
 */
public record RuleMessage(
    String messageId,
    String node,
    String ruleNamespace,
    String ruleName,
    String targetType,
    String target,
    Map<String, String> headers,
    byte[] payload)
    implements EventData {
  public RuleMessage {
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(ruleNamespace, "ruleNamespace");
    Objects.requireNonNull(ruleName, "ruleName");
    Objects.requireNonNull(targetType, "targetType");
    Objects.requireNonNull(target, "target");
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
    return EventType.RULE_MESSAGE;
  }
}
