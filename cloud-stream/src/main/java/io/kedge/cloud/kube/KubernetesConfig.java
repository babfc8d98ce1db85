package io.kedge.cloud.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kedge.runtime.config.ConfigKey;
import io.kedge.runtime.config.ConfigProblem;
import io.kedge.runtime.config.InvalidConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Where the cloud's objects live: in {@code kedge.resources} (standalone: manifests, CDC, the
 * standalone applier) or in a Kubernetes cluster, whose informers feed {@code kedge.resources} and
 * to which edge writes are applied.
 */
public record KubernetesConfig(
    Mode mode,
    String kubeconfig,
    List<String> resources,
    String leaseNamespace,
    String leaseName,
    Duration leaseDuration,
    Duration writeTimeout) {

  /** Where the cloud's objects are stored. */
  public enum Mode {
    STANDALONE,
    KUBERNETES
  }

  public static final ConfigKey<Mode> MODE =
      ConfigKey.choice(
          "cloud.mode",
          Mode.class,
          Mode.STANDALONE,
          "standalone: kedge.resources is the store (manifests, CDC); kubernetes: informers on"
              + " the cluster feed it and edge writes are applied to the cluster.");
  public static final ConfigKey<String> KUBECONFIG =
      ConfigKey.string(
          "kubernetes.kubeconfig",
          "",
          "kubeconfig file of the cluster (kubernetes mode); empty: the pod's service account,"
              + " else $KUBECONFIG or ~/.kube/config.");
  public static final ConfigKey<List<String>> RESOURCES =
      ConfigKey.list(
          "kubernetes.resources",
          KubeKind.DEFAULTS,
          "Kinds the informers watch, as apiVersion/Kind (CRDs included; kinds beyond the"
              + " defaults are found by discovery).");
  public static final ConfigKey<String> LEASE_NAMESPACE =
      ConfigKey.string(
          "kubernetes.lease-namespace",
          "default",
          "Namespace of the Lease that elects the one cloud instance whose informers publish.");
  public static final ConfigKey<Duration> LEASE_DURATION =
      ConfigKey.duration(
          "kubernetes.lease-duration",
          Duration.ofSeconds(15),
          Duration.ofSeconds(2),
          "How long a cloud instance that stops renewing keeps the source's Lease.");
  public static final ConfigKey<Duration> WRITE_TIMEOUT =
      ConfigKey.duration(
          "kubernetes.write-timeout",
          Duration.ofSeconds(10),
          Duration.ofSeconds(1),
          "How long the applier waits for the Kubernetes API on one edge write.");

  public static final List<ConfigKey<?>> KEYS =
      List.of(MODE, KUBECONFIG, RESOURCES, LEASE_NAMESPACE, LEASE_DURATION, WRITE_TIMEOUT);

  public static KubernetesConfig from(io.kedge.runtime.config.Config config, String prefix) {
    return new KubernetesConfig(
        config.get(MODE),
        config.get(KUBECONFIG),
        config.get(RESOURCES),
        config.get(LEASE_NAMESPACE),
        prefix + "-kubernetes-source",
        config.get(LEASE_DURATION),
        config.get(WRITE_TIMEOUT));
  }

  /** Standalone mode: no cluster. */
  public static KubernetesConfig standalone() {
    return new KubernetesConfig(
        Mode.STANDALONE,
        "",
        List.of(),
        "default",
        "kedge-kubernetes-source",
        LEASE_DURATION.defaultValue(),
        WRITE_TIMEOUT.defaultValue());
  }

  public boolean kubernetes() {
    return mode == Mode.KUBERNETES;
  }

  /**
   * A client for the configured cluster.
   *
   * @throws InvalidConfigException naming {@code kubernetes.kubeconfig} if its file cannot be read
   */
  public KubernetesClient client() {
    if (kubeconfig.isEmpty()) {
      return new KubernetesClientBuilder().build();
    }
    try {
      if (!Files.isReadable(Path.of(kubeconfig))) {
        throw new IOException("no such readable file");
      }
      return new KubernetesClientBuilder()
          .withConfig(Config.fromKubeconfig(Path.of(kubeconfig).toFile()))
          .build();
    } catch (IOException | RuntimeException e) {
      throw new InvalidConfigException(
          List.of(
              new ConfigProblem(
                  KUBECONFIG.name(),
                  kubeconfig,
                  "",
                  "must be a readable kubeconfig: " + e.getMessage())));
    }
  }
}
