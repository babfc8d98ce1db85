package io.kedge.kube.objects;

import com.fasterxml.jackson.databind.JsonNode;
import io.kedge.schemas.ObjectKey;

/**
 * What kube-apiserver forbids an update of an object (not of its status) to change, for the kinds a
 * node's agents rely on staying put: a Pod's spec beyond what {@link PodUpdates} allows, and the
 * data of a ConfigMap or Secret marked {@code immutable} (a kubelet stops watching those, so a
 * change would never reach the pods using them), and a Secret's type.
 */
final class UpdateRules {
  private static final String IMMUTABLE = ": Forbidden: field is immutable when `immutable` is set";

  private UpdateRules() {}

  /** Why {@code next} may not replace {@code current}, in kube-apiserver's words; else null. */
  static String forbidden(ObjectKey key, String subresource, JsonNode current, JsonNode next) {
    if (!subresource.isEmpty() || !key.group().isEmpty()) {
      return null;
    }
    return switch (key.kind()) {
      case "Pod" -> PodUpdates.forbidden(current, next);
      case "ConfigMap" -> immutableData(current, next, "data", "binaryData");
      case "Secret" -> {
        String type = secretType(current);
        if (!type.equals(secretType(next))) {
          yield "type: Invalid value: \"" + secretType(next) + "\": field is immutable";
        }
        yield immutableData(current, next, "data");
      }
      default -> null;
    };
  }

  private static String secretType(JsonNode secret) {
    String type = secret.path("type").asText("");
    return type.isEmpty() ? "Opaque" : type; // kube-apiserver defaults it
  }

  private static String immutableData(JsonNode current, JsonNode next, String... fields) {
    if (!current.path("immutable").asBoolean(false)) {
      return null;
    }
    if (!next.path("immutable").asBoolean(false)) {
      return "immutable" + IMMUTABLE;
    }
    for (String field : fields) {
      if (!current.path(field).equals(next.path(field))
          && !(current.path(field).isEmpty() && next.path(field).isEmpty())) {
        return field + IMMUTABLE;
      }
    }
    return null;
  }
}
