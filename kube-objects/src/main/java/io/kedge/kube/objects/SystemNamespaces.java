package io.kedge.kube.objects;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.ObjectKey;
import java.util.List;
import java.util.Set;

/**
 * The Namespaces kube-apiserver keeps in every cluster, and what it does for every Namespace: it
 * creates {@code default}, {@code kube-system}, {@code kube-public} and {@code kube-node-lease}
 * where they are missing, refuses to delete the first three ({@code NamespaceLifecycle} admission),
 * and labels each Namespace with its own name, so that namespace selectors can pick one by name
 * (NetworkPolicies, webhooks, Kueue and other controllers rely on it).
 */
public final class SystemNamespaces {
  private SystemNamespaces() {}

  /** The label kube-apiserver sets on every Namespace to its name. */
  public static final String NAME_LABEL = "kubernetes.io/metadata.name";

  /** The Namespaces kube-apiserver creates where they are missing. */
  public static final List<String> NAMES =
      List.of("default", "kube-system", "kube-public", "kube-node-lease");

  /** Those it refuses to delete; {@code kube-node-lease} may go and is created again. */
  private static final Set<String> IMMORTAL = Set.of("default", "kube-system", "kube-public");

  /** The key of the Namespace {@code name}. */
  public static ObjectKey key(String name) {
    return new ObjectKey("", "v1", "Namespace", "", name);
  }

  /** A new Namespace {@code name}, as written before the server's metadata and defaults. */
  public static ObjectNode object(String name) {
    ObjectNode namespace = EventCodec.json().createObjectNode();
    namespace.put("apiVersion", "v1").put("kind", "Namespace");
    namespace.putObject("metadata").put("name", name);
    namespace.putObject("spec");
    return namespace;
  }

  /** Whether {@code key} names a Namespace that may not be deleted. */
  static boolean immortal(ObjectKey key) {
    return isNamespace(key) && IMMORTAL.contains(key.name());
  }

  /** kube-apiserver's defaults of a Namespace: its name label, and {@code Active}. */
  static void fill(ObjectNode namespace) {
    String name = namespace.path("metadata").path("name").asText("");
    if (!name.isEmpty()) {
      namespace.withObject("metadata").withObject("labels").put(NAME_LABEL, name);
    }
    ObjectDefaults.putIfAbsent(namespace.withObject("status"), "phase", "Active");
  }

  private static boolean isNamespace(ObjectKey key) {
    return key.group().isEmpty() && key.kind().equals("Namespace");
  }
}
