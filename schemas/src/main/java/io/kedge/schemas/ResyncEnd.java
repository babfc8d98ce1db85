package io.kedge.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Objects;

/**
 * Closes a snapshot: the node now holds exactly the {@code objectCount} objects sent since the
 * matching {@link ResyncBegin}, so anything else it holds is deleted.
 */
public record ResyncEnd(String requestId, long objectCount) implements EventData {
  public ResyncEnd {
    Objects.requireNonNull(requestId, "requestId");
    if (objectCount < 0) {
      throw new IllegalArgumentException("objectCount must be >= 0");
    }
  }

  @JsonIgnore
  @Override
  public EventType type() {
    return EventType.RESYNC_END;
  }
}
