package io.kedge.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * Closes a snapshot, or one part of it (see {@link ResyncBegin}): the part's {@code objectCount}
 * objects were sent since its begin. Once every part has ended, the node holds exactly the objects
 * sent since the first begin, so anything else it holds is deleted.
 */
public record ResyncEnd(
    String requestId,
    long objectCount,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer part,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer parts)
    implements EventData {
  public ResyncEnd {
    Objects.requireNonNull(requestId, "requestId");
    if (objectCount < 0) {
      throw new IllegalArgumentException("objectCount must be >= 0");
    }
    ResyncParts.check(part, parts);
    if (parts != null && parts == 1) {
      part = null;
      parts = null;
    }
  }

  /** A whole snapshot's end. */
  public ResyncEnd(String requestId, long objectCount) {
    this(requestId, objectCount, null, null);
  }

  /** How many parts the snapshot has: 1 when it is whole. */
  public int partCount() {
    return parts == null ? 1 : parts;
  }

  /** Which part this ends: 0 when the snapshot is whole. */
  public int partIndex() {
    return part == null ? 0 : part;
  }

  @JsonIgnore
  @Override
  public EventType type() {
    return EventType.RESYNC_END;
  }
}
