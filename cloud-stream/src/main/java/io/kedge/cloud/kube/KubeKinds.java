package io.kedge.cloud.kube;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kedge.runtime.config.ConfigProblem;
import io.kedge.runtime.config.InvalidConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves {@code apiVersion/Kind} names to {@link KubeKind}s: well-known kinds from a table, the
 * others (a CRD, {@code apps/v1/Deployment}) by the API server's discovery, once each.
 */
public final class KubeKinds {
  private final KubernetesClient client;
  private final Map<String, KubeKind> resolved = new ConcurrentHashMap<>(KubeKind.BY_NAME);

  public KubeKinds(KubernetesClient client) {
    this.client = client;
  }

  /**
   * The kinds {@code names} of config key {@code key} name.
   *
   * @throws InvalidConfigException naming the key, each value and why it cannot be resolved
   */
  public List<KubeKind> resolveAll(String key, List<String> names) {
    List<KubeKind> kinds = new ArrayList<>();
    List<ConfigProblem> problems = new ArrayList<>();
    for (String name : names) {
      String[] parts = name.split("/");
      if (parts.length < 2 || parts.length > 3 || name.contains(" ")) {
        problems.add(
            new ConfigProblem(
                key, name, "", "must be apiVersion/Kind, e.g. v1/Pod or apps/v1/Deployment"));
        continue;
      }
      String apiVersion = name.substring(0, name.lastIndexOf('/'));
      String kind = parts[parts.length - 1];
      Optional<KubeKind> found = find(apiVersion, kind);
      if (found.isEmpty()) {
        problems.add(
            new ConfigProblem(
                key,
                name,
                "",
                "must be a kind the Kubernetes API serves (not found by discovery)"));
      } else {
        kinds.add(found.get());
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems);
    }
    return List.copyOf(kinds);
  }

  /** The kind {@code apiVersion/kind}, asking the server's discovery if it is not known. */
  public Optional<KubeKind> find(String apiVersion, String kind) {
    String name = apiVersion + "/" + kind;
    KubeKind known = resolved.get(name);
    if (known != null) {
      return Optional.of(known);
    }
    APIResourceList list;
    try {
      list = client.getApiResources(apiVersion);
    } catch (KubernetesClientException e) {
      return Optional.empty();
    }
    if (list == null || list.getResources() == null) {
      return Optional.empty();
    }
    for (APIResource resource : list.getResources()) {
      if (kind.equals(resource.getKind()) && !resource.getName().contains("/")) {
        int slash = apiVersion.indexOf('/');
        KubeKind found =
            new KubeKind(
                slash < 0 ? "" : apiVersion.substring(0, slash),
                slash < 0 ? apiVersion : apiVersion.substring(slash + 1),
                kind,
                resource.getName(),
                Boolean.TRUE.equals(resource.getNamespaced()));
        resolved.put(name, found);
        return Optional.of(found);
      }
    }
    return Optional.empty();
  }
}
