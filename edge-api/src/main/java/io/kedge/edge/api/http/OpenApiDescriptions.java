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
 * groups share a kind) and then by JSON field name, {@code ""} for the type itself. Beside them,
 * the fields' strategic merge patch tags, from the same comments. Both are read only while a
 * document is built: documents are rare, and the edge keeps no memory for them.
 */
final class OpenApiDescriptions {
  /** Next to this class; {@code OpenApiDescriptionsTest} writes it. */
  static final String RESOURCE = "openapi-descriptions.json.gz";

  /**
   * The fields' strategic merge patch tags, by message full name and JSON field name, as the
   * extensions below; written by {@code OpenApiDescriptionsTest} from the same sources.
   */
  static final String PATCH_TAGS_RESOURCE = "openapi-patch-tags.json.gz";

  static final String PATCH_STRATEGY = "x-kubernetes-patch-strategy";
  static final String PATCH_MERGE_KEY = "x-kubernetes-patch-merge-key";

  private final JsonNode byModel;
  private final JsonNode patchTags;

  private OpenApiDescriptions(JsonNode byModel, JsonNode patchTags) {
    this.byModel = byModel;
    this.patchTags = patchTags;
  }

  /** The descriptions and patch tags, or none where a resource is missing. */
  static OpenApiDescriptions load() {
    return new OpenApiDescriptions(read(RESOURCE), read(PATCH_TAGS_RESOURCE));
  }

  private static JsonNode read(String resource) {
    try (InputStream in = OpenApiDescriptions.class.getResourceAsStream(resource)) {
      if (in == null) {
        return MissingNode.getInstance();
      }
      return EventCodec.json().readTree(new GZIPInputStream(in));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  /**
   * The patch extensions of {@code message}'s field {@code jsonName} ({@value #PATCH_STRATEGY},
   * {@value #PATCH_MERGE_KEY}), or null when it has none: kubectl computes its strategic merge
   * patches from them when an OpenAPI document describes the kind.
   */
  JsonNode patchTags(Descriptor message, String jsonName) {
    JsonNode tags = patchTags.path(message.getFullName()).get(jsonName);
    return tags != null && tags.isObject() ? tags : null;
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
