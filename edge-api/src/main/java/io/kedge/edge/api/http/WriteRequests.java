package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.WriteOperation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
import java.util.Set;

/** How an HTTP write request maps to a write: its operation, body and media type. */
final class WriteRequests {
  static final Set<String> PATCH_TYPES =
      Set.of(
          "application/json-patch+json",
          "application/merge-patch+json",
          "application/strategic-merge-patch+json");

  private WriteRequests() {}

  /** The operation of {@code method} on an object ({@code name} set) or a collection, or null. */
  static WriteOperation operation(HttpMethod method, String name) {
    boolean object = !name.isEmpty();
    if (method.equals(HttpMethod.POST)) {
      return object ? null : WriteOperation.CREATE;
    }
    if (!object) {
      return null; // deletecollection and collection updates are not served
    }
    if (method.equals(HttpMethod.PUT)) {
      return WriteOperation.UPDATE;
    }
    if (method.equals(HttpMethod.PATCH)) {
      return WriteOperation.PATCH;
    }
    if (method.equals(HttpMethod.DELETE)) {
      return WriteOperation.DELETE;
    }
    return null;
  }

  /** Why {@code mediaType} cannot carry {@code operation}, or null when it can. */
  static String unsupportedMediaType(WriteOperation operation, String mediaType) {
    if (operation == WriteOperation.PATCH) {
      return PATCH_TYPES.contains(mediaType)
          ? null
          : "the patch type '"
              + mediaType
              + "' is not supported: use one of "
              + String.join(", ", PATCH_TYPES.stream().sorted().toList());
    }
    if (mediaType.isEmpty() || mediaType.equals("application/json") || mediaType.equals("*/*")) {
      return null;
    }
    return "the edge API accepts JSON only, not '" + mediaType + "'";
  }

  /**
   * The JSON body, or null when there is none.
   *
   * @throws IllegalArgumentException (a 400) when it is not JSON
   */
  static JsonNode body(ByteBuf content) {
    if (!content.isReadable()) {
      return null;
    }
    try (ByteBufInputStream in = new ByteBufInputStream(content.duplicate())) {
      return EventCodec.json().readTree((java.io.InputStream) in);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "the request body is not valid JSON: " + e.getMessage().split("\n")[0]);
    }
  }
}
