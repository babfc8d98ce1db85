package io.kedge.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Objects;

/** Opens the snapshot that answers {@link ResyncRequest} {@code requestId}. */
public record ResyncBegin(String requestId) implements EventData {
  public ResyncBegin {
    Objects.requireNonNull(requestId, "requestId");
  }

  @JsonIgnore
  @Override
  public EventType type() {
    return EventType.RESYNC_BEGIN;
  }
}
