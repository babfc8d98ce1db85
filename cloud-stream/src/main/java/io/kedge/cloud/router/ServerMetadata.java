package io.kedge.cloud.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.kube.objects.KubeTime;
import io.kedge.schemas.ObjectKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The metadata a Kubernetes API server owns, filled in where {@code kedge.resources} is the store:
 * {@code uid}, {@code creationTimestamp} and {@code generation}. Derived only from the record and
 * the object's previous version, so a re-processed record gets the same values.
 */
final class ServerMetadata {
  private ServerMetadata() {}

  /**
   * @param previous the object as stored before this change, or null when it is new
   * @param offset the record's offset in the resources topic, which makes a new uid unique
   * @param timestamp the record's timestamp, a new object's creation time
   */
  static void fill(
      ObjectNode object, ObjectNode previous, ObjectKey key, long offset, long timestamp) {
    ObjectNode metadata = object.withObject("metadata");
    JsonNode before = previous == null ? null : previous.path("metadata");
    if (before != null && !before.path("uid").asText("").isEmpty()) {
      metadata.set("uid", before.get("uid"));
    } else if (metadata.path("uid").asText("").isEmpty()) {
      metadata.put(
          "uid",
          UUID.nameUUIDFromBytes((key + "@" + offset).getBytes(StandardCharsets.UTF_8)).toString());
    }
    if (before != null && !before.path("creationTimestamp").asText("").isEmpty()) {
      metadata.set("creationTimestamp", before.get("creationTimestamp"));
    } else if (metadata.path("creationTimestamp").asText("").isEmpty()) {
      metadata.put("creationTimestamp", KubeTime.of(Instant.ofEpochMilli(timestamp)));
    }
    long generation = before == null ? 0 : before.path("generation").asLong(0);
    if (previous == null) {
      metadata.put("generation", Math.max(1, metadata.path("generation").asLong(1)));
    } else if (generation == 0 || !Objects.equals(previous.get("spec"), object.get("spec"))) {
      metadata.put("generation", generation + 1);
    } else {
      metadata.put("generation", generation);
    }
  }
}
