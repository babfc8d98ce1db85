package io.kedge.cloud.router;

import com.fasterxml.jackson.databind.JsonNode;
import io.kedge.kube.objects.Bindings;
import io.kedge.schemas.NodeNames;
import io.kedge.schemas.ObjectKey;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Where an object belongs, decided from the object alone: the pure part of routing. Pods go to
 * {@code spec.nodeName}, Nodes to themselves, Devices to the node their selector names, broadcast
 * kinds everywhere; what a node's agents write comes back to that node (its Lease in {@code
 * kube-node-lease} and its CSINode by name, Events by the host that reported them); other kinds
 * follow the {@code kedge.io/node} label; VolumeAttachments go to their {@code spec.nodeName}.
 * ConfigMaps, Secrets, PersistentVolumeClaims and DeviceModels go where the objects that reference
 * them are ({@link #references} lists those references), and a PersistentVolume where the claim
 * bound to it is. Every object also goes to the nodes that wrote it ({@link ObjectPlacer}).
 */
public final class Placement {
  /** The label that routes an object of any other kind to one node. */
  public static final String NODE_LABEL = "kedge.io/node";

  private final Set<String> broadcastKinds;

  /**
   * @param broadcastKinds {@code group/Kind} of kinds every node receives (core group is empty)
   */
  public Placement(Set<String> broadcastKinds) {
    this.broadcastKinds = Set.copyOf(broadcastKinds);
  }

  /** How an object is placed. */
  public enum Rule {
    /** To the nodes {@link #directNodes} names. */
    DIRECT,
    /** To every known node. */
    BROADCAST,
    /**
     * To the nodes of the objects that reference it (ConfigMap, Secret, PersistentVolumeClaim,
     * DeviceModel).
     */
    REFERENCED,
    /**
     * To the nodes of the PersistentVolumeClaim bound to it, which is kept in another partition
     * (the router's partitions tell each other, see {@link #remoteReference}).
     */
    CLAIMED
  }

  /** {@code group/Kind} of the kinds every node receives. */
  public Set<String> broadcastKinds() {
    return broadcastKinds;
  }

  public Rule rule(ObjectKey key) {
    String gk = key.group() + "/" + key.kind();
    if (broadcastKinds.contains(gk)) {
      return Rule.BROADCAST;
    }
    return switch (gk) {
      case "/ConfigMap", "/Secret", "/PersistentVolumeClaim", "devices.kubeedge.io/DeviceModel" ->
          Rule.REFERENCED;
      case "/PersistentVolume" -> Rule.CLAIMED;
      default -> Rule.DIRECT;
    };
  }

  /** The nodes a {@link Rule#DIRECT} object belongs to (possibly none). */
  public Set<String> directNodes(ObjectKey key, JsonNode object) {
    Set<String> nodes = new LinkedHashSet<>();
    switch (key.group() + "/" + key.kind()) {
      case "/Pod", "storage.k8s.io/VolumeAttachment" ->
          addIfPresent(nodes, object.path("spec").path("nodeName").asText(""));
      case "/Node", "storage.k8s.io/CSINode" -> nodes.add(key.name());
      case "coordination.k8s.io/Lease" -> {
        if (key.namespace().equals(NODE_LEASES)) {
          nodes.add(key.name());
        } else {
          addIfPresent(nodes, labelledNode(object));
        }
      }
      case "/Event" -> {
        String host = object.path("source").path("host").asText("");
        addIfPresent(nodes, host.isEmpty() ? labelledNode(object) : host);
      }
      case "events.k8s.io/Event" -> {
        String host = object.path("reportingInstance").asText("");
        if (host.isEmpty()) {
          host = object.path("deprecatedSource").path("host").asText("");
        }
        addIfPresent(nodes, host.isEmpty() ? labelledNode(object) : host);
      }
      case "devices.kubeedge.io/Device" -> nodes.addAll(Bindings.deviceNodes(object));
      case "rules.kubeedge.io/Rule" ->
          addIfPresent(
              nodes, object.path("spec").path("sourceResource").path("node_name").asText(""));
      default -> addIfPresent(nodes, labelledNode(object));
    }
    return nodes;
  }

  /** The namespace of the Leases node heartbeats renew, named after their node. */
  public static final String NODE_LEASES = "kube-node-lease";

  private static String labelledNode(JsonNode object) {
    return object.path("metadata").path("labels").path(NODE_LABEL).asText("");
  }

  /**
   * The objects {@code object} refers to whose placement follows it: the ConfigMaps, Secrets and
   * PersistentVolumeClaims a Pod uses (volumes, projected volumes, ephemeral volumes, env
   * valueFrom, envFrom) and a Device's DeviceModel. They are kept in the referrer's partition.
   */
  public Set<ObjectKey> references(ObjectKey key, JsonNode object) {
    Set<ObjectKey> refs = new LinkedHashSet<>();
    String ns = key.namespace();
    if (key.group().isEmpty() && key.kind().equals("Pod")) {
      refs.addAll(Bindings.podReferences(ns, object));
      refs.addAll(Bindings.podClaims(ns, object));
    } else if (key.group().equals("devices.kubeedge.io") && key.kind().equals("Device")) {
      String model = object.path("spec").path("deviceModelRef").path("name").asText("");
      if (!model.isEmpty()) {
        refs.add(new ObjectKey("devices.kubeedge.io", "v1alpha2", "DeviceModel", ns, model));
      }
    }
    return refs;
  }

  /** Whether objects of {@code key}'s kind may reference an object kept in another partition. */
  public boolean referencesRemotely(ObjectKey key) {
    return key.group().isEmpty() && key.kind().equals("PersistentVolumeClaim");
  }

  /**
   * The object kept in another partition whose placement follows {@code object}: the
   * PersistentVolume a claim is bound to ({@code spec.volumeName}), or null.
   */
  public ObjectKey remoteReference(ObjectKey key, JsonNode object) {
    if (!referencesRemotely(key) || object == null) {
      return null;
    }
    String volume = object.path("spec").path("volumeName").asText("");
    // a volume's name is a DNS subdomain, as a node's is; no other name can be a volume's
    return NodeNames.isValid(volume)
        ? new ObjectKey("", "v1", "PersistentVolume", "", volume)
        : null;
  }

  /** Version-free identity of an object, so references match whatever version was applied. */
  public static String identity(ObjectKey key) {
    return key.group() + "/" + key.kind() + "/" + key.namespace() + "/" + key.name();
  }

  private static void addIfPresent(Set<String> nodes, String node) {
    if (!node.isEmpty()) {
      nodes.add(node);
    }
  }
}
