package io.kedge.cloud.kube;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A kind the Kubernetes API serves: its group, version, plural resource name and scope, enough to
 * build its REST paths and a generic informer without asking the server.
 */
public record KubeKind(
    String group, String version, String kind, String plural, boolean namespaced) {

  /** Kinds kedge routes by default, so the defaults need no discovery. */
  static final List<KubeKind> WELL_KNOWN =
      List.of(
          new KubeKind("", "v1", "Pod", "pods", true),
          new KubeKind("", "v1", "ConfigMap", "configmaps", true),
          new KubeKind("", "v1", "Secret", "secrets", true),
          new KubeKind("", "v1", "Service", "services", true),
          new KubeKind("", "v1", "Endpoints", "endpoints", true),
          new KubeKind("", "v1", "Node", "nodes", false),
          // what a kubelet reads to mount a pod's persistent volumes
          new KubeKind("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true),
          new KubeKind("", "v1", "PersistentVolume", "persistentvolumes", false),
          new KubeKind("", "v1", "Namespace", "namespaces", false),
          new KubeKind("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true),
          new KubeKind("devices.kubeedge.io", "v1alpha2", "Device", "devices", true),
          new KubeKind("devices.kubeedge.io", "v1alpha2", "DeviceModel", "devicemodels", true),
          new KubeKind("rules.kubeedge.io", "v1", "Rule", "rules", true),
          new KubeKind("rules.kubeedge.io", "v1", "RuleEndpoint", "ruleendpoints", true),
          new KubeKind(
              "apiextensions.k8s.io",
              "v1",
              "CustomResourceDefinition",
              "customresourcedefinitions",
              false),
          // what node agents write through their edge API (not watched by default)
          new KubeKind("coordination.k8s.io", "v1", "Lease", "leases", true),
          new KubeKind("", "v1", "Event", "events", true),
          new KubeKind("events.k8s.io", "v1", "Event", "events", true),
          new KubeKind("storage.k8s.io", "v1", "CSINode", "csinodes", false),
          new KubeKind("", "v1", "ServiceAccount", "serviceaccounts", true),
          new KubeKind("storage.k8s.io", "v1", "CSIDriver", "csidrivers", false),
          new KubeKind("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", false),
          // for CSI drivers that attach: the attacher's answer the kubelet waits for
          new KubeKind("storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", false));

  /** Written through edge APIs, but not routed by default: see {@link #DEFAULTS}. */
  private static final java.util.Set<String> NOT_WATCHED_BY_DEFAULT =
      java.util.Set.of(
          "apiextensions.k8s.io/v1/CustomResourceDefinition",
          "coordination.k8s.io/v1/Lease",
          "v1/Event",
          "events.k8s.io/v1/Event",
          "storage.k8s.io/v1/CSINode",
          "v1/ServiceAccount",
          "storage.k8s.io/v1/CSIDriver",
          "node.k8s.io/v1/RuntimeClass",
          "storage.k8s.io/v1/VolumeAttachment");

  static final Map<String, KubeKind> BY_NAME =
      WELL_KNOWN.stream()
          .collect(Collectors.toUnmodifiableMap(KubeKind::name, Function.identity()));

  /** The default {@code kubernetes.resources}. */
  public static final List<String> DEFAULTS =
      WELL_KNOWN.stream()
          .map(KubeKind::name)
          .filter(n -> !NOT_WATCHED_BY_DEFAULT.contains(n))
          .toList();

  /** {@code apiVersion/Kind}, e.g. {@code v1/Pod} or {@code apps/v1/Deployment}. */
  public String name() {
    return apiVersion() + "/" + kind;
  }

  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** The collection's path, in a namespace if the kind is namespaced. */
  public String collectionPath(String namespace) {
    String base = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    return base + (namespaced ? "/namespaces/" + namespace : "") + "/" + plural;
  }

  /** The path of one object, or of its subresource if {@code subresource} is not empty. */
  public String objectPath(String namespace, String name, String subresource) {
    return collectionPath(namespace)
        + "/"
        + name
        + (subresource.isEmpty() ? "" : "/" + subresource);
  }

  ResourceDefinitionContext context() {
    return new ResourceDefinitionContext.Builder()
        .withGroup(group)
        .withVersion(version)
        .withKind(kind)
        .withPlural(plural)
        .withNamespaced(namespaced)
        .build();
  }
}
