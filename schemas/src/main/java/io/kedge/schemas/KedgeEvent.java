package io.kedge.schemas;

import java.net.URI;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.UUID;

/**
 * A CloudEvents 1.0 event as kedge uses it: the required attributes, an optional {@code subject}
 * (the object key or device id it is about) and typed {@link EventData}.
 */
public record KedgeEvent(
    String id, URI source, String subject, OffsetDateTime time, EventData data) {

  public KedgeEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(data, "data");
    if (id.isEmpty()) {
      throw new IllegalArgumentException("event id must not be empty");
    }
    subject = subject == null ? "" : subject;
  }

  /** A new event with a random id, stamped now (millisecond precision, UTC). */
  public static KedgeEvent of(URI source, String subject, EventData data) {
    return withId(UUID.randomUUID().toString(), source, subject, data);
  }

  /** A new event with a caller-chosen stable id, for idempotent producers and dedupe. */
  public static KedgeEvent withId(String id, URI source, String subject, EventData data) {
    return new KedgeEvent(
        id,
        source,
        subject,
        OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS),
        data);
  }

  public EventType type() {
    return data.type();
  }

  /** The data as its concrete record type. */
  public <T extends EventData> T dataAs(Class<T> type) {
    if (!type.isInstance(data)) {
      throw new IllegalStateException(
          "event " + id + " carries " + data.type().ceType() + ", not " + type.getSimpleName());
    }
    return type.cast(data);
  }
}
