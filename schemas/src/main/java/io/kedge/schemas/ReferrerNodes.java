package io.kedge.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import java.util.Objects;

/**
 * The router's word, from one partition to another, that an object kept elsewhere references the
 * keyed object and is held by {@code nodes} (none: it references it no more, or no node holds it).
 * A PersistentVolumeClaim is routed with the pods in its namespace, the PersistentVolume bound to
 * it by its own name; this tells the volume's partition where the claim is.
 */
public record ReferrerNodes(String referrer, List<String> nodes) implements EventData {
  public ReferrerNodes {
    Objects.requireNonNull(referrer, "referrer");
    if (referrer.isEmpty()) {
      throw new IllegalArgumentException("referrer must not be empty");
    }
    nodes = nodes == null ? List.of() : List.copyOf(nodes);
  }

  @JsonIgnore
  @Override
  public EventType type() {
    return EventType.REFERRER_NODES;
  }
}
