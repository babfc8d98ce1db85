package io.kedge.kube.objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

  /** A 403 naming the object and the rule, as kube-apiserver words it. */
  public static ObjectNode forbidden(String resource, String name, String why) {
    ObjectNode status =
        failure(403, "Forbidden", resource + " \"" + name + "\" is forbidden: " + why);
    status.putObject("details").put("name", name).put("kind", resource);
    return status;
  }

  public static ObjectNode badRequest(String message) {
    return failure(400, "BadRequest", message);
  }

  /** Field error types as kube-apiserver words them, and the cause reason each reports. */
  private static final Map<String, String> FIELD_ERRORS =
      Map.of(
          "Forbidden", "FieldValueForbidden",
          "Invalid value", "FieldValueInvalid",
          "Required value", "FieldValueRequired",
          "Unsupported value", "FieldValueNotSupported",
          "Duplicate value", "FieldValueDuplicate",
          "Too long", "FieldValueTooLong",
          "Too many", "FieldValueTooMany",
          "Not found", "FieldValueNotFound");

  private static final Pattern FIELD_ERROR =
      Pattern.compile(
          "([\\w.\\[\\]*/-]+): (" + String.join("|", FIELD_ERRORS.keySet()) + ")(: .*)?",
          Pattern.DOTALL);

  /**
   * A 422 as kube-apiserver answers an invalid object: {@code <Kind> "<name>" is invalid:
   * <message>}, where a message in the form of a field error ({@code spec: Forbidden: ...}) is also
   * the details' cause, which kubectl prints ({@code The Pod "web" is invalid: * spec: ...}).
   *
   * @param qualifiedKind the kind with its group, e.g. {@code Pod} or {@code
   *     Device.devices.kubeedge.io}
   */
  public static ObjectNode invalid(String qualifiedKind, String name, String message) {
    ObjectNode status =
        failure(422, "Invalid", qualifiedKind + " \"" + name + "\" is invalid: " + message);
    Matcher field = FIELD_ERROR.matcher(message);
    if (field.matches()) { // else no details: kubectl then prints the message itself
      int dot = qualifiedKind.indexOf('.');
      ObjectNode details = status.putObject("details").put("name", name);
      if (dot > 0) {
        details.put("group", qualifiedKind.substring(dot + 1));
      }
      details.put("kind", dot > 0 ? qualifiedKind.substring(0, dot) : qualifiedKind);
      details
          .putArray("causes")
          .addObject()
          .put("reason", FIELD_ERRORS.get(field.group(2)))
          .put("message", message.substring(field.end(1) + 2))
          .put("field", field.group(1));
    }
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
