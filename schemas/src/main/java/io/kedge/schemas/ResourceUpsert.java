package io.kedge.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * An object was created or changed. {@code object} is the Kubernetes JSON, unchanged, so unknown
 * fields of CRDs survive; {@code cloudResourceVersion} is the version the source saw (empty in
 * standalone mode before the store assigns one).
 */
public record ResourceUpsert(ObjectKey key, String cloudResourceVersion, ObjectNode object)
    implements EventData {
  public ResourceUpsert {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(object, "object");
    cloudResourceVersion = cloudResourceVersion == null ? "" : cloudResourceVersion;
  }

  @JsonIgnore
  @Override
  public EventType type() {
    return EventType.RESOURCE_UPSERT;
  }
}
