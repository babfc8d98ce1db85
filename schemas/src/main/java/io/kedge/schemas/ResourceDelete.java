package io.kedge.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Objects;

/** An object was deleted; {@code cloudResourceVersion} is the last version the source saw. */
public record ResourceDelete(ObjectKey key, String cloudResourceVersion) implements EventData {
  public ResourceDelete {
    Objects.requireNonNull(key, "key");
    cloudResourceVersion = cloudResourceVersion == null ? "" : cloudResourceVersion;
  }

  @JsonIgnore
  @Override
  public EventType type() {
    return EventType.RESOURCE_DELETE;
  }
}
