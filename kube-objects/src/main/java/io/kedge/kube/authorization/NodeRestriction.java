package io.kedge.kube.authorization;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.kube.objects.Bindings;
import io.kedge.kube.objects.KubeStatus;
import io.kedge.kube.objects.ObjectWrites;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.WriteRequest;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * What a node may write, as Kubernetes' Node authorizer and NodeRestriction admission plugin allow
 * a kubelet: its own Node (not its taints, nor labels outside the kubelet's), its Lease in {@code
 * kube-node-lease}, its CSINode, the status of pods bound to it, mirror pods bound to it, Events,
 * tokens for its pods' service accounts, the capacity and conditions in the status of the claims
 * its pods use (a volume's expansion), and (kedge's addition) the status of KubeEdge Devices bound
 * to it. Anything else needs an operator's {@link NodeWriteRules}. The edge API decides with it
 * before a write leaves the node and the cloud again before applying (the edge is not trusted).
 *
 * <p>{@link #forbidden} decides from the request and the objects it names; {@link #forbiddenChange}
 * from the object a write would make, where the writer computes it.
 */
public final class NodeRestriction {
  /** The annotation of a mirror pod, the only pods a node may create. */
  public static final String MIRROR_POD = "kubernetes.io/config.mirror";

  public static final String NODE_LEASES = "kube-node-lease";

  /** The name of a question about any object of a kind. */
  public static final String ANY_NAME = "*";

  /** The labels a kubelet sets on its Node ({@code k8s.io/kubelet/pkg/apis}). */
  private static final Set<String> KUBELET_LABELS =
      Set.of(
          "kubernetes.io/hostname",
          "kubernetes.io/os",
          "kubernetes.io/arch",
          "beta.kubernetes.io/os",
          "beta.kubernetes.io/arch",
          "beta.kubernetes.io/instance-type",
          "node.kubernetes.io/instance-type",
          "failure-domain.beta.kubernetes.io/zone",
          "failure-domain.beta.kubernetes.io/region",
          "topology.kubernetes.io/zone",
          "topology.kubernetes.io/region",
          // KubeEdge's edge node roles, which its edgecore registers with
          "node-role.kubernetes.io/edge",
          "node-role.kubernetes.io/agent");

  private static final Set<String> KUBELET_LABEL_NAMESPACES =
      Set.of("kubelet.kubernetes.io", "node.kubernetes.io");

  private final NodeWriteRules allowed;

  public NodeRestriction(NodeWriteRules allowed) {
    this.allowed = Objects.requireNonNull(allowed, "allowed");
  }

  public NodeWriteRules rules() {
    return allowed;
  }

  /**
   * Why {@code node} may not make {@code request}, or null when it may: {@link #unauthorized}, then
   * what the request's body and the objects it names say.
   *
   * @param current the object the request names as the writer holds it, or null
   * @param lookup other objects the decision reads (a token's pod, the node's Node), or null
   */
  public String forbidden(
      String node, WriteRequest request, JsonNode current, Function<ObjectKey, JsonNode> lookup) {
    return forbidden(node, request, current, lookup, (n, k) -> false);
  }

  /**
   * As {@link #forbidden(String, WriteRequest, JsonNode, Function)}, where {@code holds} says
   * whether a node holds an object because its pods use it (a claim whose status it writes), as the
   * Node authorizer's graph of pods and what they reference does.
   */
  public String forbidden(
      String node,
      WriteRequest request,
      JsonNode current,
      Function<ObjectKey, JsonNode> lookup,
      BiPredicate<String, ObjectKey> holds) {
    ObjectKey key = request.key();
    String unauthorized = unauthorized(node, request.operation(), key, request.subresource());
    if (unauthorized != null || allowed.allows(key)) {
      return unauthorized;
    }
    WriteOperation op = request.operation();
    return switch (key.group() + "/" + key.kind()) {
      case "/Node" ->
          op == WriteOperation.CREATE
                  && request.body() != null
                  && !request.body().path("spec").path("configSource").isMissingNode()
                  && !request.body().path("spec").path("configSource").isNull()
              ? "node \"" + node + "\" is not allowed to create its Node with a configSource"
              : null;
      case "/Pod" -> pod(node, request, current, lookup);
      case "/PersistentVolumeClaim" ->
          current == null || holds.test(node, key)
              ? null
              : "no relationship found between node '" + node + "' and this object";
      case "/ServiceAccount" -> token(node, request, lookup);
      case "devices.kubeedge.io/Device" ->
          current == null || Bindings.deviceNodes(current).contains(node)
              ? null
              : "node \"" + node + "\" can only update the status of devices bound to it";
      default -> null;
    };
  }

  /**
   * The authorizer's part: why {@code node} may not make this kind of write at all, or null. The
   * name {@link #ANY_NAME} stands for any name (a {@code kubectl auth can-i} without one).
   */
  public String unauthorized(String node, WriteOperation op, ObjectKey key, String sub) {
    if (allowed.allows(key)) {
      return null;
    }
    String name = key.name().equals(ANY_NAME) ? "" : key.name();
    return switch (key.group() + "/" + key.kind()) {
      case "/Node" ->
          !name.isEmpty() && !name.equals(node)
              ? "node \"" + node + "\" is not allowed to modify node \"" + name + "\""
              : null;
      case "/Pod" ->
          switch (sub) {
            case "" ->
                op == WriteOperation.CREATE || op == WriteOperation.DELETE
                    ? null
                    : "unexpected operation "
                        + op
                        + ", node \""
                        + node
                        + "\" can only create and delete mirror pods";
            case "status" ->
                op == WriteOperation.UPDATE || op == WriteOperation.PATCH
                    ? null
                    : "unexpected operation " + op + " on pod status";
            default -> "unexpected pod subresource \"" + sub + "\", only 'status' is allowed";
          };
      case "/PersistentVolumeClaim" ->
          sub.equals("status") && (op == WriteOperation.UPDATE || op == WriteOperation.PATCH)
              ? null
              : notOwn(node, key);
      case "coordination.k8s.io/Lease" ->
          !key.namespace().equals(NODE_LEASES)
              ? "can only access leases in the \"" + NODE_LEASES + "\" system namespace"
              : !name.isEmpty() && !name.equals(node)
                  ? "can only access node lease with the same name as the requesting node"
                  : null;
      case "storage.k8s.io/CSINode" ->
          name.isEmpty() || name.equals(node)
              ? null
              : "can only access CSINode with the same name as the requesting node";
      case "/Event", "events.k8s.io/Event" -> null;
      case "/ServiceAccount" ->
          op == WriteOperation.CREATE && sub.equals("token") ? null : notOwn(node, key);
      case "devices.kubeedge.io/Device" ->
          sub.equals("status") && (op == WriteOperation.UPDATE || op == WriteOperation.PATCH)
              ? null
              : "node \"" + node + "\" can only update the status of devices";
      default -> notOwn(node, key);
    };
  }

  /**
   * Why the object {@code result} that {@code request} makes of {@code current} is not {@code
   * node}'s to make, or null: a Node's taints and non-kubelet labels, a pod's labels through its
   * status.
   */
  public String forbiddenChange(
      String node, WriteRequest request, JsonNode current, JsonNode result) {
    ObjectKey key = request.key();
    if (allowed.allows(key) || result == null) {
      return null;
    }
    if (key.group().isEmpty() && key.kind().equals("Node")) {
      JsonNode oldLabels = current == null ? null : current.path("metadata").path("labels");
      Set<String> forbidden = new TreeSet<>();
      for (String label : modified(oldLabels, result.path("metadata").path("labels"))) {
        if (!kubeletMaySet(label)) {
          forbidden.add(label);
        }
      }
      if (!forbidden.isEmpty()) {
        return "node \""
            + node
            + "\" is not allowed to set the following labels: "
            + String.join(", ", forbidden);
      }
      if (current != null
          && !current.path("spec").path("taints").equals(result.path("spec").path("taints"))) {
        return "node \"" + node + "\" is not allowed to modify taints";
      }
      if (current != null
          && !result.path("spec").path("configSource").isMissingNode()
          && !current
              .path("spec")
              .path("configSource")
              .equals(result.path("spec").path("configSource"))) {
        return "node \"" + node + "\" is not allowed to update configSource";
      }
    }
    if (key.group().isEmpty()
        && key.kind().equals("Pod")
        && request.subresource().equals("status")
        && current != null
        && !current
            .path("metadata")
            .path("labels")
            .equals(result.path("metadata").path("labels"))) {
      return "node \"" + node + "\" cannot update labels through pod status";
    }
    if (key.group().isEmpty()
        && key.kind().equals("PersistentVolumeClaim")
        && current != null
        && !claimStatusRest(current).equals(claimStatusRest(result))) {
      return "node \""
          + node
          + "\" is not allowed to update fields other than status.capacity, status.conditions,"
          + " status.allocatedResources and status.allocatedResourceStatuses";
    }
    return null;
  }

  /** A claim without what a kubelet may change in it (and the server's bookkeeping). */
  private static JsonNode claimStatusRest(JsonNode claim) {
    ObjectNode rest = claim.deepCopy();
    rest.withObject("metadata").remove(Set.of("resourceVersion", "generation", "managedFields"));
    rest.withObject("status")
        .remove(
            Set.of("capacity", "conditions", "allocatedResources", "allocatedResourceStatuses"));
    return rest;
  }

  /** A 403 Status naming the object and the rule, as kube-apiserver words it. */
  public static ObjectNode status(ObjectKey key, String why) {
    return KubeStatus.forbidden(ObjectWrites.resourceName(key), key.name(), why);
  }

  private String notOwn(String node, ObjectKey key) {
    return "node \""
        + node
        + "\" may write only its own objects (its Node, Lease, CSINode, mirror pods, the status of"
        + " its pods, their claims and devices, Events, its pods' tokens), not "
        + ObjectWrites.resourceName(key)
        + (key.namespace().isEmpty() ? "" : " in namespace \"" + key.namespace() + "\"")
        + "; an operator allows more with node write rules (edge.node-writes, router.node-writes)";
  }

  /** A pod write the authorizer let through: status, delete or create of a mirror pod. */
  private static String pod(
      String node, WriteRequest request, JsonNode current, Function<ObjectKey, JsonNode> lookup) {
    if (request.subresource().equals("status")) {
      return current == null || Bindings.podNode(current).equals(node)
          ? null
          : "node \""
              + node
              + "\" can only update pod status for pods with spec.nodeName set to itself";
    }
    if (request.operation() == WriteOperation.DELETE) {
      return current == null || Bindings.podNode(current).equals(node)
          ? null
          : "node \"" + node + "\" can only delete pods with spec.nodeName set to itself";
    }
    return mirrorPod(node, request.key(), request.body(), lookup);
  }

  private static String mirrorPod(
      String node, ObjectKey key, JsonNode pod, Function<ObjectKey, JsonNode> lookup) {
    String who = "node \"" + node + "\"";
    if (pod == null || !pod.path("metadata").path("annotations").has(MIRROR_POD)) {
      return "pod does not have \""
          + MIRROR_POD
          + "\" annotation, "
          + who
          + " can only create mirror pods";
    }
    if (!Bindings.podNode(pod).equals(node)) {
      return who + " can only create pods with spec.nodeName set to itself";
    }
    JsonNode owners = pod.path("metadata").path("ownerReferences");
    if (owners.size() != 1) {
      return who + " can only create pods with a single owner reference set to itself";
    }
    JsonNode owner = owners.get(0);
    if (!owner.path("apiVersion").asText().equals("v1")
        || !owner.path("kind").asText().equals("Node")
        || !owner.path("name").asText().equals(node)) {
      return who + " can only create pods with an owner reference set to itself";
    }
    if (!owner.path("controller").asBoolean(false)) {
      return who + " can only create pods with a controller owner reference set to itself";
    }
    if (owner.path("blockOwnerDeletion").asBoolean(false)) {
      return who + " must not set blockOwnerDeletion on an owner reference";
    }
    JsonNode self = lookup == null ? null : lookup.apply(new ObjectKey("", "v1", "Node", "", node));
    String uid = self == null ? "" : self.path("metadata").path("uid").asText("");
    if (!uid.isEmpty() && !uid.equals(owner.path("uid").asText(""))) {
      return "node "
          + node
          + " UID mismatch: expected "
          + owner.path("uid").asText("")
          + " got "
          + uid;
    }
    if (!pod.path("spec").path("serviceAccountName").asText("").isEmpty()) {
      return who + " can not create pods that reference a service account";
    }
    Set<ObjectKey> refs = Bindings.podReferences(key.namespace(), pod);
    if (!refs.isEmpty()) {
      String kind = refs.iterator().next().kind();
      return who
          + " can not create pods that reference "
          + (kind.equals("Secret") ? "secrets" : "configmaps");
    }
    for (JsonNode volume : pod.path("spec").path("volumes")) {
      if (volume.has("persistentVolumeClaim")) {
        return who + " can not create pods that reference persistentvolumeclaims";
      }
      if (volume.has("ephemeral")) {
        // stricter than Kubernetes: the router sends a pod's node the claim named
        // <pod>-<volume>, so such a pod could name another pod's claim
        return who + " can not create pods that use generic ephemeral volumes";
      }
      for (JsonNode source : volume.path("projected").path("sources")) {
        if (source.has("clusterTrustBundle")) {
          return who + " can not create pods that reference clustertrustbundles";
        }
      }
    }
    return null;
  }

  private static String token(
      String node, WriteRequest request, Function<ObjectKey, JsonNode> lookup) {
    JsonNode ref =
        request.body() == null ? null : request.body().path("spec").path("boundObjectRef");
    if (ref == null
        || !ref.path("apiVersion").asText("").equals("v1")
        || !ref.path("kind").asText("").equals("Pod")
        || ref.path("name").asText("").isEmpty()) {
      return "node requested token not bound to a pod";
    }
    if (ref.path("uid").asText("").isEmpty()) {
      return "node requested token with a pod binding without a uid";
    }
    JsonNode pod =
        lookup == null
            ? null
            : lookup.apply(
                new ObjectKey(
                    "", "v1", "Pod", request.key().namespace(), ref.path("name").asText()));
    if (pod == null) {
      return "node requested token bound to pod \""
          + ref.path("name").asText()
          + "\", which it does not hold";
    }
    if (!ref.path("uid").asText().equals(pod.path("metadata").path("uid").asText(""))) {
      return "the UID in the bound object reference ("
          + ref.path("uid").asText()
          + ") does not match the UID in record. The object might have been deleted and then"
          + " recreated";
    }
    if (!Bindings.podNode(pod).equals(node)) {
      return "node requested token bound to a pod scheduled on a different node";
    }
    return null;
  }

  private static Set<String> modified(JsonNode before, JsonNode after) {
    Set<String> changed = new TreeSet<>();
    if (after != null) {
      after
          .fieldNames()
          .forEachRemaining(
              k -> {
                if (before == null || !after.get(k).equals(before.get(k))) {
                  changed.add(k);
                }
              });
    }
    if (before != null) {
      before
          .fieldNames()
          .forEachRemaining(
              k -> {
                if (after == null || !after.has(k)) {
                  changed.add(k);
                }
              });
    }
    return changed;
  }

  /** NodeRestriction's label policy: no node-restriction labels, no other Kubernetes labels. */
  private static boolean kubeletMaySet(String label) {
    int slash = label.indexOf('/');
    String namespace = slash < 0 ? "" : label.substring(0, slash);
    if (namespace.equals("node-restriction.kubernetes.io")
        || namespace.endsWith(".node-restriction.kubernetes.io")) {
      return false;
    }
    boolean kubernetes =
        namespace.equals("kubernetes.io")
            || namespace.endsWith(".kubernetes.io")
            || namespace.equals("k8s.io")
            || namespace.endsWith(".k8s.io");
    if (!kubernetes) {
      return true;
    }
    if (KUBELET_LABELS.contains(label)) {
      return true;
    }
    return KUBELET_LABEL_NAMESPACES.stream()
        .anyMatch(ns -> namespace.equals(ns) || namespace.endsWith("." + ns));
  }
}
