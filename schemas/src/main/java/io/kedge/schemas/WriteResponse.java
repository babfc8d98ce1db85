package io.kedge.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * The cloud's answer to {@link WriteRequest} {@code requestId}: the HTTP code Kubernetes gave (201,
 * 200, 404, 409, 422, ...) and its body, the object or a Kubernetes {@code Status}.
 */
public record WriteResponse(String requestId, int code, JsonNode body) implements EventData {
  public WriteResponse {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(body, "body");
    if (code < 100 || code > 599) {
      throw new IllegalArgumentException("code " + code + " is not an HTTP status code");
    }
  }

  @JsonIgnore
  @Override
  public EventType type() {
    return EventType.WRITE_RESPONSE;
  }
}
