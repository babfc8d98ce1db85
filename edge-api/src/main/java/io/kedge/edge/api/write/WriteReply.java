package io.kedge.edge.api.write;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** What the edge API answers a write with: an HTTP code, the object or a Status, extra headers. */
public record WriteReply(int code, JsonNode body, Map<String, String> headers) {
  public WriteReply {
    headers = Map.copyOf(headers);
  }

  public static WriteReply of(int code, JsonNode body) {
    return new WriteReply(code, body, Map.of());
  }
}
