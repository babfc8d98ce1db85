package io.kedge.kube.objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;

/**
 * Kubernetes {@code Status} objects (meta/v1): every error a kedge API returns is one of these,
 * with a machine-readable reason and a sentence a person can act on.
 */
public final class KubeStatus {
  private KubeStatus() {}

  public static ObjectNode failure(int code, String reason, String message) {
    ObjectNode status = EventCodec.json().createObjectNode();
    status.put("kind", "Status").put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
    return status;
  }

  /**
   * {@code resource} is the plural with its group, e.g. {@code pods} or {@code
   * devices.devices.kubeedge.io}.
   */
  public static ObjectNode notFound(String resource, String name) {
    ObjectNode status = failure(404, "NotFound", resource + " \"" + name + "\" not found");
    status.putObject("details").put("name", name).put("kind", resource);
    return status;
  }

  public static ObjectNode alreadyExists(String resource, String name) {
    ObjectNode status =
        failure(409, "AlreadyExists", resource + " \"" + name + "\" already exists");
    status.putObject("details").put("name", name).put("kind", resource);
    return status;
  }

  public static ObjectNode conflict(String resource, String name, String why) {
    ObjectNode status =
        failure(
            409,
            "Conflict",
            "Operation cannot be fulfilled on " + resource + " \"" + name + "\": " + why);
    status.putObject("details").put("name", name).put("kind", resource);
    return status;
  }

  public static ObjectNode badRequest(String message) {
    return failure(400, "BadRequest", message);
  }

  public static ObjectNode invalid(String resource, String name, String message) {
    ObjectNode status =
        failure(422, "Invalid", resource + " \"" + name + "\" is invalid: " + message);
    status.putObject("details").put("name", name).put("kind", resource);
    return status;
  }

  public static ObjectNode expired(String message) {
    return failure(410, "Expired", message);
  }

  public static ObjectNode success(String resource, String name) {
    ObjectNode status = EventCodec.json().createObjectNode();
    status.put("kind", "Status").put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Success");
    status.putObject("details").put("name", name).put("kind", resource);
    return status;
  }

  /** True for a {@code Status} body, as opposed to an object. */
  public static boolean isStatus(JsonNode body) {
    return "Status".equals(body.path("kind").asText())
        && "v1".equals(body.path("apiVersion").asText());
  }
}
