package io.kedge.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * A write made on an edge API, forwarded to the cloud. {@code requestId} is stable across retries,
 * so the cloud applies it once. {@code subresource} is empty or e.g. {@code status}; {@code
 * patchType} is the patch content type for {@link WriteOperation#PATCH}; {@code resourceVersion} is
 * the cloud version the edge client based its write on.
 */
public record WriteRequest(
    String requestId,
    String node,
    WriteOperation operation,
    ObjectKey key,
    String subresource,
    String patchType,
    JsonNode body,
    String resourceVersion,
    boolean dryRun,
    String fieldManager)
    implements EventData {
  public WriteRequest {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(key, "key");
    subresource = subresource == null ? "" : subresource;
    patchType = patchType == null ? "" : patchType;
    resourceVersion = resourceVersion == null ? "" : resourceVersion;
    fieldManager = fieldManager == null ? "" : fieldManager;
  }

  @JsonIgnore
  @Override
  public EventType type() {
    return EventType.WRITE_REQUEST;
  }
}
