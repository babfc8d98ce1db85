package io.kedge.kube.objects;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.ObjectKey;
import java.util.Set;

/**
 * What kube-apiserver sets on every write of an object where the object leaves it out, by kind: a
 * Pod's spec defaults ({@link PodDefaults}), a Service's, an EndpointSlice's and Endpoints' port
 * defaults ({@link ServiceDefaults}), a volume's and a claim's ({@link VolumeDefaults}), and a
 * Secret's {@code stringData} folded into its data ({@link SecretData}), a Namespace's name label
 * and phase ({@link SystemNamespaces}). The standalone authority applies it to every write,
 * whatever its source, so a node's agents read what they would read from kube-apiserver.
 */
public final class ObjectDefaults {
  private ObjectDefaults() {}

  private static final Set<String> CORE_KINDS =
      Set.of(
          "Pod",
          "Service",
          "Endpoints",
          "Secret",
          "Namespace",
          "PersistentVolume",
          "PersistentVolumeClaim");

  /** Whether {@code key}'s kind has defaults. */
  public static boolean exist(ObjectKey key) {
    return key.group().isEmpty()
        ? CORE_KINDS.contains(key.kind())
        : key.group().equals("discovery.k8s.io") && key.kind().equals("EndpointSlice");
  }

  /** Fills {@code object}'s defaults, where its kind has any. */
  public static void fill(ObjectKey key, ObjectNode object) {
    if (!exist(key)) {
      return;
    }
    if (!key.group().isEmpty()) {
      ServiceDefaults.endpointSlice(object);
      return;
    }
    switch (key.kind()) {
      case "Pod" -> PodDefaults.fill(object);
      case "Service" -> ServiceDefaults.service(object);
      case "Endpoints" -> ServiceDefaults.endpoints(object);
      case "Secret" -> {
        SecretData.fold(key, object);
        putIfAbsent(object, "type", "Opaque");
      }
      case "Namespace" -> SystemNamespaces.fill(object);
      case "PersistentVolume", "PersistentVolumeClaim" -> VolumeDefaults.fill(key.kind(), object);
      default -> {}
    }
  }

  /** Sets {@code field} to {@code value} where it is absent, null or empty text. */
  static void putIfAbsent(ObjectNode node, String field, String value) {
    if (node.path(field).asText("").isEmpty()) {
      node.put(field, value);
    }
  }
}
