package io.kedge.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * Opens the snapshot that answers {@link ResyncRequest} {@code requestId}, or one part of it: a
 * partitioned cloud answers with one part per partition of {@code kedge.resources}, each opened and
 * closed on its own and interleaved in the node topic. {@code part} and {@code parts} are left out
 * of the JSON when the snapshot is whole, so readers without them still read it.
 */
public record ResyncBegin(
    String requestId,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer part,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer parts)
    implements EventData {
  public ResyncBegin {
    Objects.requireNonNull(requestId, "requestId");
    ResyncParts.check(part, parts);
    if (parts != null && parts == 1) {
      part = null;
      parts = null;
    }
  }

  /** A whole snapshot's begin. */
  public ResyncBegin(String requestId) {
    this(requestId, null, null);
  }

  @JsonIgnore
  @Override
  public EventType type() {
    return EventType.RESYNC_BEGIN;
  }
}
