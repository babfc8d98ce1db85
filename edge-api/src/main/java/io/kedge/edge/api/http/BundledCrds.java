package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kedge.edge.api.view.ResourceType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The schemas of kedge's own CRDs ({@code deploy/crds}, packaged beside this class) for the
 * KubeEdge kinds every edge API serves: a node holds no CustomResourceDefinition objects, and the
 * cluster's CRDs for these kinds are the same files (docs/deploy.md installs them). Read once per
 * served version, on first use.
 */
final class BundledCrds {
  private static final String DIRECTORY = "crds/";
  private static final Map<String, Optional<ObjectNode>> SCHEMAS = new ConcurrentHashMap<>();

  private BundledCrds() {}

  /** The {@code openAPIV3Schema} of {@code type}'s version, or null where kedge ships no CRD. */
  static ObjectNode schema(ResourceType type) {
    String file = type.group() + "_" + type.plural() + ".yaml";
    return SCHEMAS
        .computeIfAbsent(file + "@" + type.version(), key -> read(file, type.version()))
        .map(ObjectNode::deepCopy)
        .orElse(null);
  }

  /** The {@code openAPIV3Schema} of {@code crd}'s {@code version}, or null where it has none. */
  static ObjectNode versionSchema(JsonNode crd, String version) {
    for (JsonNode served : crd.path("spec").path("versions")) {
      JsonNode schema = served.path("schema").path("openAPIV3Schema");
      if (served.path("name").asText().equals(version) && schema.isObject()) {
        return (ObjectNode) schema;
      }
    }
    return null;
  }

  private static Optional<ObjectNode> read(String file, String version) {
    try (InputStream in = BundledCrds.class.getResourceAsStream(DIRECTORY + file)) {
      if (in == null) {
        return Optional.empty();
      }
      return Optional.ofNullable(versionSchema(new YAMLMapper().readTree(in), version));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the bundled CRD " + file, e);
    }
  }
}
