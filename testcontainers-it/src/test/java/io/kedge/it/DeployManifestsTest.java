package io.kedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kedge.cloud.CloudConfig;
import io.kedge.edge.relay.EdgeConfig;
import io.kedge.mapper.opcua.MapperConfig;
import io.kedge.runtime.config.ConfigKey;
import io.kedge.runtime.config.ConfigSpec;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every manifest under deploy/ parses into the Kubernetes types it claims, with no field those
 * types do not know (a misspelt field would be silently ignored by the API server), and what it
 * configures exists: each KEDGE_* variable is a configuration key of the deployable it runs.
 */
class DeployManifestsTest {
  private static final Path DEPLOY = Path.of("..", "deploy");
  private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();

  private static List<HasMetadata> manifests() throws IOException {
    List<HasMetadata> all = new ArrayList<>();
    try (Stream<Path> files = Files.walk(DEPLOY)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        for (String doc : Files.readString(file).split("(?m)^---\\s*$")) {
          if (doc.lines().anyMatch(l -> l.startsWith("kind:"))) {
            Object parsed = KUBERNETES.unmarshal(doc);
            assertThat(parsed)
                .as(file + " holds a Kubernetes object")
                .isInstanceOf(HasMetadata.class);
            all.add((HasMetadata) parsed);
          }
        }
      }
    }
    return all;
  }

  @Test
  void everyManifestIsATypedObjectWithoutUnknownFields() throws Exception {
    List<HasMetadata> all = manifests();
    assertThat(all.stream().map(HasMetadata::getKind).collect(Collectors.toSet()))
        .contains(
            "Namespace",
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Deployment",
            "Service",
            "DaemonSet",
            "MutatingWebhookConfiguration",
            "CustomResourceDefinition");
    for (HasMetadata object : all) {
      String name = object.getKind() + "/" + object.getMetadata().getName();
      assertThat(object)
          .as(name + " is a known type")
          .isNotInstanceOf(GenericKubernetesResource.class);
      List<String> unknown = new ArrayList<>();
      unknownFields(object, name, unknown, new IdentityHashMap<>());
      assertThat(unknown).as("fields " + name + "'s type does not have").isEmpty();
    }
  }

  @Test
  void theCrdsKedgeReadsAreAllThere() throws Exception {
    Set<String> crds =
        manifests().stream()
            .filter(CustomResourceDefinition.class::isInstance)
            .map(o -> o.getMetadata().getName())
            .collect(Collectors.toSet());
    assertThat(crds)
        .containsExactlyInAnyOrder(
            "rules.rules.kubeedge.io",
            "ruleendpoints.rules.kubeedge.io",
            "devices.devices.kubeedge.io",
            "devicemodels.devices.kubeedge.io");
  }

  @Test
  void workloadsSetOnlyConfigurationKeysTheyHaveAndProbeTheOpsPort() throws Exception {
    for (HasMetadata object : manifests()) {
      PodSpec pod;
      ConfigSpec def;
      int opsPort;
      if (object instanceof Deployment d && d.getMetadata().getName().equals("kedge-cloud")) {
        pod = d.getSpec().getTemplate().getSpec();
        def = CloudConfig.DEF;
        opsPort = CloudConfig.OPS_PORT.defaultValue();
      } else if (object instanceof DaemonSet d && d.getMetadata().getName().equals("kedge-edge")) {
        pod = d.getSpec().getTemplate().getSpec();
        def = EdgeConfig.DEF;
        opsPort = EdgeConfig.OPS_PORT.defaultValue();
      } else if (object instanceof DaemonSet d
          && d.getMetadata().getName().equals("kedge-mapper-opcua")) {
        pod = d.getSpec().getTemplate().getSpec();
        def = MapperConfig.DEF;
        opsPort = MapperConfig.OPS_PORT.defaultValue();
      } else {
        continue;
      }
      Set<String> known = def.keys().stream().map(ConfigKey::envName).collect(Collectors.toSet());
      for (Container container : pod.getContainers()) {
        for (EnvVar env : container.getEnv()) {
          if (env.getName().startsWith("KEDGE_")) {
            assertThat(known)
                .as(object.getMetadata().getName() + " sets " + env.getName())
                .contains(env.getName());
          }
        }
        String probePort =
            container.getReadinessProbe().getHttpGet().getPort().getStrVal() != null
                ? portNamed(
                    container, container.getReadinessProbe().getHttpGet().getPort().getStrVal())
                : container.getReadinessProbe().getHttpGet().getPort().getIntVal().toString();
        assertThat(probePort).isEqualTo(Integer.toString(opsPort));
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
      }
    }
  }

  private static String portNamed(Container container, String name) {
    return container.getPorts().stream()
        .filter(p -> name.equals(p.getName()))
        .map(p -> p.getContainerPort().toString())
        .findFirst()
        .orElse("no port named " + name);
  }

  /** Collects fields fabric8 kept aside as unknown, anywhere below {@code value}. */
  private static void unknownFields(
      Object value, String path, List<String> unknown, Map<Object, Boolean> seen) throws Exception {
    if (value == null || seen.put(value, true) != null) {
      return;
    }
    if (value instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        unknownFields(item, path + "[" + i++ + "]", unknown, seen);
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        unknownFields(entry.getValue(), path + "." + entry.getKey(), unknown, seen);
      }
      return;
    }
    if (!(value instanceof KubernetesResource)) {
      return;
    }
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0
          || !getter.getName().startsWith("get")
          || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      Object field = getter.invoke(value);
      if (getter.getName().equals("getAdditionalProperties")) {
        if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
          unknown.add(path + ": " + extra.keySet());
        }
        continue;
      }
      unknownFields(field, path + "." + getter.getName().substring(3), unknown, seen);
    }
  }
}
