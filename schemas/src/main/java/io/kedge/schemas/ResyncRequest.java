package io.kedge.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Objects;

/**
 * An edge node asks for every object it should hold, because its log is new or has a gap beyond the
 * node topic's retention. The answer is {@link ResyncBegin}, the objects, {@link ResyncEnd}.
 */
public record ResyncRequest(String node, String requestId, String reason) implements EventData {
  public ResyncRequest {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(requestId, "requestId");
    reason = reason == null ? "" : reason;
  }

  @JsonIgnore
  @Override
  public EventType type() {
    return EventType.RESYNC_REQUEST;
  }
}
