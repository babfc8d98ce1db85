package io.kedge.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * A write made on an edge API, forwarded to the cloud. {@code requestId} is stable across retries,
 * so the cloud applies it once. {@code subresource} is empty or e.g. {@code status}; {@code
 * patchType} is the patch content type for {@link WriteOperation#PATCH}; {@code resourceVersion} is
 * the cloud version the edge client based its write on. {@code force} is server-side apply's: take
 * the fields other managers own (left out of the JSON when false, so readers without it still read
 * every other request).
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
    String fieldManager,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) Boolean force)
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
    force = force != null && force;
  }

  /** A request that does not force a server-side apply. */
  public WriteRequest(
      String requestId,
      String node,
      WriteOperation operation,
      ObjectKey key,
      String subresource,
      String patchType,
      JsonNode body,
      String resourceVersion,
      boolean dryRun,
      String fieldManager) {
    this(
        requestId,
        node,
        operation,
        key,
        subresource,
        patchType,
        body,
        resourceVersion,
        dryRun,
        fieldManager,
        false);
  }

  @JsonIgnore
  @Override
  public EventType type() {
    return EventType.WRITE_REQUEST;
  }
}
