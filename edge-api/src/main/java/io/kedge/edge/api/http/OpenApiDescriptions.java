package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.google.protobuf.Descriptors.Descriptor;
import io.kedge.schemas.EventCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Kubernetes' own descriptions of its types and their fields, which {@code /openapi/v3} adds to the
 * schemas it builds from the protobuf models (those carry none), so {@code kubectl explain} prints
 * them. The resource is generated from the models of Kubernetes' official Java client
 * (client-java-api), which carry the descriptions of Kubernetes' OpenAPI document, and, for the
 * fields those leave undescribed, from Kubernetes' comments in the sources of its protobuf models;
 * it is keyed by the client's model name ({@code V1PodSpec}, or {@code CoreV1Event} where two
 * groups share a kind) and then by JSON field name, {@code ""} for the type itself. It is read only
 * while a document is built: {@code kubectl explain} is rare, and the edge keeps no memory for it.
 */
final class OpenApiDescriptions {
  /** Next to this class; {@code OpenApiDescriptionsTest} writes it. */
  static final String RESOURCE = "openapi-descriptions.json.gz";

  private static final OpenApiDescriptions NONE =
      new OpenApiDescriptions(MissingNode.getInstance());

  private final JsonNode byModel;

  private OpenApiDescriptions(JsonNode byModel) {
    this.byModel = byModel;
  }

  /** The descriptions, or none when the resource is missing. */
  static OpenApiDescriptions load() {
    try (InputStream in = OpenApiDescriptions.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return NONE;
      }
      return new OpenApiDescriptions(EventCodec.json().readTree(new GZIPInputStream(in)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  /** The description of {@code message}'s type, or null. */
  String type(Descriptor message) {
    return field(message, "");
  }

  /** The description of {@code message}'s field with JSON name {@code jsonName}, or null. */
  String field(Descriptor message, String jsonName) {
    for (String model : modelNames(message)) {
      JsonNode descriptions = byModel.get(model);
      if (descriptions != null) {
        JsonNode text = descriptions.get(jsonName);
        return text == null || text.asText().isEmpty() ? null : text.asText();
      }
    }
    return null;
  }

  /**
   * The client's names for a message, the group-qualified one first: {@code
   * k8s.io.api.core.v1.Event} is {@code CoreV1Event} (beside events.k8s.io's {@code
   * EventsV1Event}), {@code k8s.io.api.core.v1.PodSpec} is {@code V1PodSpec}.
   */
  static List<String> modelNames(Descriptor message) {
    String[] parts = message.getFullName().split("\\.");
    if (parts.length < 3) {
      return List.of(message.getName());
    }
    String version = capitalized(parts[parts.length - 2]);
    String group = capitalized(parts[parts.length - 3]);
    return List.of(group + version + message.getName(), version + message.getName());
  }

  private static String capitalized(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
