package io.kedge.kube.objects;

import com.fasterxml.jackson.databind.JsonNode;
import io.kedge.schemas.ObjectKey;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What ties an object to nodes and to other objects: a Pod's node and the ConfigMaps, Secrets and
 * PersistentVolumeClaims it uses, a KubeEdge Device's nodes. The router places objects by them;
 * node authorization decides by them what a node may write.
 */
public final class Bindings {
  private Bindings() {}

  /** The node a Pod is bound to ({@code spec.nodeName}), or empty. */
  public static String podNode(JsonNode pod) {
    return pod == null ? "" : pod.path("spec").path("nodeName").asText("");
  }

  /** The nodes a Device's {@code spec.nodeSelector} names with {@code In}. */
  public static Set<String> deviceNodes(JsonNode device) {
    Set<String> nodes = new LinkedHashSet<>();
    if (device == null) {
      return nodes;
    }
    for (JsonNode term : device.path("spec").path("nodeSelector").path("nodeSelectorTerms")) {
      for (JsonNode expression : term.path("matchExpressions")) {
        if ("In".equals(expression.path("operator").asText())) {
          for (JsonNode value : expression.path("values")) {
            String node = value.asText("");
            if (!node.isEmpty()) {
              nodes.add(node);
            }
          }
        }
      }
    }
    return nodes;
  }

  /**
   * The ConfigMaps and Secrets a Pod in {@code namespace} uses: volumes, projected volumes, env
   * {@code valueFrom}, {@code envFrom} and image pull secrets.
   */
  public static Set<ObjectKey> podReferences(String namespace, JsonNode pod) {
    Set<ObjectKey> refs = new LinkedHashSet<>();
    JsonNode spec = pod.path("spec");
    for (JsonNode volume : spec.path("volumes")) {
      addRef(refs, namespace, "ConfigMap", volume.path("configMap").path("name"));
      addRef(refs, namespace, "Secret", volume.path("secret").path("secretName"));
      for (JsonNode source : volume.path("projected").path("sources")) {
        addRef(refs, namespace, "ConfigMap", source.path("configMap").path("name"));
        addRef(refs, namespace, "Secret", source.path("secret").path("name"));
      }
    }
    for (String containers : new String[] {"initContainers", "containers", "ephemeralContainers"}) {
      for (JsonNode container : spec.path(containers)) {
        for (JsonNode env : container.path("env")) {
          addRef(
              refs,
              namespace,
              "ConfigMap",
              env.path("valueFrom").path("configMapKeyRef").path("name"));
          addRef(
              refs, namespace, "Secret", env.path("valueFrom").path("secretKeyRef").path("name"));
        }
        for (JsonNode from : container.path("envFrom")) {
          addRef(refs, namespace, "ConfigMap", from.path("configMapRef").path("name"));
          addRef(refs, namespace, "Secret", from.path("secretRef").path("name"));
        }
      }
    }
    for (JsonNode pull : spec.path("imagePullSecrets")) {
      addRef(refs, namespace, "Secret", pull.path("name"));
    }
    return refs;
  }

  /**
   * The PersistentVolumeClaims a Pod in {@code namespace} mounts: its {@code persistentVolumeClaim}
   * volumes and the claim of each generic ephemeral volume, which Kubernetes names {@code
   * <pod>-<volume>}.
   */
  public static Set<ObjectKey> podClaims(String namespace, JsonNode pod) {
    Set<ObjectKey> claims = new LinkedHashSet<>();
    String podName = pod.path("metadata").path("name").asText("");
    for (JsonNode volume : pod.path("spec").path("volumes")) {
      addRef(
          claims,
          namespace,
          "PersistentVolumeClaim",
          volume.path("persistentVolumeClaim").path("claimName"));
      String volumeName = volume.path("name").asText("");
      if (volume.has("ephemeral") && !podName.isEmpty() && !volumeName.isEmpty()) {
        claims.add(
            new ObjectKey(
                "", "v1", "PersistentVolumeClaim", namespace, podName + "-" + volumeName));
      }
    }
    return claims;
  }

  private static void addRef(Set<ObjectKey> refs, String namespace, String kind, JsonNode name) {
    String n = name.asText("");
    if (!n.isEmpty()) {
      refs.add(new ObjectKey("", "v1", kind, namespace, n));
    }
  }
}
