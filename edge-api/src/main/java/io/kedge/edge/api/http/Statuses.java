package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;

/** Kubernetes {@code Status} objects: every error the edge API returns is one of these. */
final class Statuses {
  private Statuses() {}

  static ObjectNode failure(int code, String reason, String message) {
    ObjectNode status = EventCodec.json().createObjectNode();
    status.put("kind", "Status").put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
    return status;
  }

  static ObjectNode notFound(String resource, String name) {
    ObjectNode status = failure(404, "NotFound", resource + " \"" + name + "\" not found");
    status.putObject("details").put("name", name).put("kind", resource);
    return status;
  }

  static ObjectNode badRequest(String message) {
    return failure(400, "BadRequest", message);
  }

  static ObjectNode expired(String message) {
    return failure(410, "Expired", message);
  }
}
