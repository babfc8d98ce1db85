package io.kedge.kube.objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.ObjectKey;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * A Secret's {@code stringData}, which kube-apiserver folds into {@code data} on every write (each
 * value base64-encoded, replacing the key's value in {@code data}) and never stores: a kubelet
 * reads {@code data} only, so a Secret stored with its {@code stringData} would give pods nothing.
 */
final class SecretData {
  private SecretData() {}

  /** Folds {@code object}'s {@code stringData} into its {@code data}, if it is a core Secret. */
  static void fold(ObjectKey key, ObjectNode object) {
    if (!key.group().isEmpty() || !key.kind().equals("Secret") || !object.has("stringData")) {
      return;
    }
    JsonNode strings = object.remove("stringData");
    if (!strings.isObject() || strings.isEmpty()) {
      return;
    }
    ObjectNode data = object.withObject("data");
    for (Map.Entry<String, JsonNode> entry : strings.properties()) {
      data.put(
          entry.getKey(),
          Base64.getEncoder()
              .encodeToString(entry.getValue().asText().getBytes(StandardCharsets.UTF_8)));
    }
  }
}
