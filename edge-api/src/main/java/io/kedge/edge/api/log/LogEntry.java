package io.kedge.edge.api.log;

import io.kedge.schemas.KedgeEvent;
import java.util.Objects;

/**
 * One entry of the node's durable log as the VIEW sees it: a position that only grows ({@code
 * index}, which becomes the {@code resourceVersion} of what it produced) and the event.
 */
public record LogEntry(long index, KedgeEvent event) {
  public LogEntry {
    Objects.requireNonNull(event, "event");
    if (index < 0) {
      throw new IllegalArgumentException("log index must be >= 0, got " + index);
    }
  }
}
