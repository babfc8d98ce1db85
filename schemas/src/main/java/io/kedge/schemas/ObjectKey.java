package io.kedge.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Identity of a Kubernetes-style object: {@code group/version/kind/namespace/name}. The group is
 * empty for the core API group and the namespace is empty for cluster-scoped objects. This string
 * is the Kafka key of {@code kedge.resources} and of object events in node topics.
 */
public record ObjectKey(String group, String version, String kind, String namespace, String name) {

  public ObjectKey {
    group = group == null ? "" : group;
    namespace = namespace == null ? "" : namespace;
    requirePart("version", version, false);
    requirePart("kind", kind, false);
    requirePart("name", name, false);
    requirePart("group", group, true);
    requirePart("namespace", namespace, true);
  }

  private static void requirePart(String part, String value, boolean mayBeEmpty) {
    if (value == null || (!mayBeEmpty && value.isEmpty())) {
      throw new IllegalArgumentException("object key " + part + " must not be empty");
    }
    if (value.indexOf('/') >= 0) {
      throw new IllegalArgumentException(
          "object key " + part + " '" + value + "' must not contain '/'");
    }
  }

  /** Parses {@code group/version/kind/namespace/name}. */
  @JsonCreator
  public static ObjectKey parse(String key) {
    if (key == null) {
      throw new IllegalArgumentException("object key must not be null");
    }
    String[] parts = key.split("/", -1);
    if (parts.length != 5) {
      throw new IllegalArgumentException(
          "object key '" + key + "' must have 5 parts group/version/kind/namespace/name");
    }
    return new ObjectKey(parts[0], parts[1], parts[2], parts[3], parts[4]);
  }

  /**
   * The key of a Kubernetes JSON object, from its {@code apiVersion}, {@code kind} and {@code
   * metadata}.
   */
  public static ObjectKey of(JsonNode object) {
    String apiVersion = object.path("apiVersion").asText("");
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "" : apiVersion.substring(0, slash);
    String version = slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
    JsonNode metadata = object.path("metadata");
    return new ObjectKey(
        group,
        version,
        object.path("kind").asText(""),
        metadata.path("namespace").asText(""),
        metadata.path("name").asText(""));
  }

  /** {@code apiVersion} as Kubernetes writes it: {@code v1} or {@code group/v1}. */
  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  public boolean namespaced() {
    return !namespace.isEmpty();
  }

  @JsonValue
  @Override
  public String toString() {
    return group + "/" + version + "/" + kind + "/" + namespace + "/" + name;
  }
}
