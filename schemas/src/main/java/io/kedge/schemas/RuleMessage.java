package io.kedge.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

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

  /** For a servicebus call: the caller's HTTP method (the REST ingress sets it). */
  public static final String METHOD_HEADER = "X-Kedge-Method";

  /** For a servicebus call: when the caller stops waiting, epoch milliseconds. */
  public static final String DEADLINE_HEADER = "X-Kedge-Deadline";

  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "transfer-encoding",
          "content-length",
          "expect",
          "host",
          "upgrade");

  /** Headers of one HTTP exchange only, never carried over to another (RFC 9110 §7.6.1). */
  public static boolean hopByHop(String header) {
    return HOP_BY_HOP.contains(header.toLowerCase(java.util.Locale.ROOT));
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
