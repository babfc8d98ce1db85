package io.kedge.it;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.cloud.CloudConfig;
import io.kedge.cloud.manifest.Manifest;
import io.kedge.cloud.manifest.ManifestPublisher;
import io.kedge.cloud.router.Router;
import io.kedge.edge.relay.EdgeConfig;
import io.kedge.it.env.KafkaSpec;
import io.kedge.it.env.ScenarioEnvironment;
import io.kedge.it.env.ScenarioKafka;
import io.kedge.runtime.lifecycle.Components;
import io.kedge.runtime.net.FreePorts;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.ObjectKey;
import io.kedge.testkit.TcpProxy;
import io.kedge.testkit.TestNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The cloud side of an end-to-end test: a Kafka of the {@link ScenarioEnvironment} (containers or
 * an in-process KRaft broker) whose edge listener sits behind a TCP proxy (the cloud link, which
 * tests cut and restore), the router with its applier, and a manifest publisher standing in for
 * {@code kedge apply}. Topic names are unique per environment.
 */
final class CloudEnvironment implements AutoCloseable {
  private final Components parts = new Components();
  final ScenarioKafka kafka;
  final TcpProxy link;
  final Router router;
  final ManifestPublisher publisher;
  final KedgeTopics topics;
  final String prefix;

  CloudEnvironment(String name, Path dir) throws Exception {
    this(name, dir, config -> config);
  }

  /** The same, with the cloud's configuration changed by {@code configure}. */
  CloudEnvironment(String name, Path dir, java.util.function.UnaryOperator<CloudConfig> configure)
      throws Exception {
    prefix = TestNames.unique(name);
    topics = new KedgeTopics(prefix, 1, Duration.ofDays(1));
    int proxyPort = FreePorts.on("127.0.0.1");
    try {
      kafka =
          parts.add(
              ScenarioEnvironment.current()
                  .kafka(KafkaSpec.single().withEdgeListener(proxyPort), Duration.ofSeconds(60)));
      String[] edgeListener = kafka.edgeListener().split(":");
      link = parts.add(new TcpProxy(proxyPort, edgeListener[0], Integer.parseInt(edgeListener[1])));
      router =
          parts.add(
              Router.start(
                  configure.apply(
                      CloudConfig.embedded(
                          kafka.bootstrapServers(),
                          dir.resolve("cloud"),
                          prefix,
                          Duration.ofDays(1)))));
      publisher =
          parts.add(
              new ManifestPublisher(kafka.bootstrapServers(), topics, Duration.ofSeconds(30)));
    } catch (Exception e) {
      parts.close();
      throw e;
    }
  }

  /** Where edge nodes connect: through the link proxy. */
  String edgeBootstrap() {
    return link.address();
  }

  void apply(ObjectNode object) {
    publisher.apply(
        List.of(new Manifest(Path.of("test"), 1, ObjectKey.of(object), object)), m -> {});
  }

  /** Upserts {@code objects} in one transaction, as one manifest file would. */
  static void publish(ManifestPublisher publisher, List<ObjectNode> objects) {
    publisher.transact(
        "stream",
        objects.stream().map(o -> new Manifest(Path.of("stream"), 1, ObjectKey.of(o), o)).toList(),
        List.of());
  }

  void delete(ObjectNode object) {
    publisher.delete(
        List.of(new Manifest(Path.of("test"), 1, ObjectKey.of(object), object)), m -> {});
  }

  /** An in-process edge node's configuration: through the link proxy, on free ports. */
  EdgeConfig edgeConfig(String node, Path dataDir) {
    return edgeConfig(node, dataDir, Map.of());
  }

  /** The same, with {@code flags} on top. */
  EdgeConfig edgeConfig(String node, Path dataDir, Map<String, Object> flags) {
    return edgeConfig(node, edgeBootstrap(), prefix, dataDir, flags);
  }

  /** An edge node's configuration on free ports, reaching Kafka at {@code bootstrap}. */
  static EdgeConfig edgeConfig(
      String node, String bootstrap, String prefix, Path dataDir, Map<String, Object> flags) {
    return EdgeConfig.embedded(node, bootstrap, prefix, dataDir, flags);
  }

  /** A fabric8 client of an in-process edge node's API, in the default namespace. */
  static io.fabric8.kubernetes.client.KubernetesClient edgeClient(
      io.kedge.edge.relay.EdgeNode edge) {
    return new io.fabric8.kubernetes.client.KubernetesClientBuilder()
        .withConfig(
            new io.fabric8.kubernetes.client.ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:" + edge.apiPort())
                .withNamespace("default")
                .withRequestTimeout(60_000)
                .build())
        .build();
  }

  /**
   * Names of the upserts of {@code kind} in partition 0 of {@code topic}, read committed, in order
   * (none if the topic does not exist yet).
   */
  static List<String> upsertNames(String bootstrap, String topic, String kind) {
    java.util.Map<String, Object> props = new java.util.HashMap<>();
    props.put("bootstrap.servers", bootstrap);
    props.put("isolation.level", "read_committed");
    props.put("enable.auto.commit", false);
    props.put("max.poll.records", 5_000);
    EventCodec codec = new EventCodec();
    List<String> names = new java.util.ArrayList<>();
    try (org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]> consumer =
        new org.apache.kafka.clients.consumer.KafkaConsumer<>(
            props,
            new org.apache.kafka.common.serialization.StringDeserializer(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      if (consumer.partitionsFor(topic).isEmpty()) {
        return names;
      }
      org.apache.kafka.common.TopicPartition tp =
          new org.apache.kafka.common.TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      while (consumer.position(tp) < end) {
        for (var r : consumer.poll(Duration.ofMillis(500))) {
          if (codec.decode(r.headers(), r.value()).data()
                  instanceof io.kedge.schemas.ResourceUpsert upsert
              && upsert.key().kind().equals(kind)) {
            names.add(upsert.key().name());
          }
        }
      }
    }
    return names;
  }

  /** The names of the pods in an in-process edge node's VIEW. */
  static List<String> podNames(io.kedge.edge.relay.EdgeNode edge) {
    io.kedge.edge.api.view.ResourceType pods =
        edge.view().types().byResource("", "v1", "pods").orElseThrow();
    return edge.view().list(io.kedge.edge.api.view.WatchFilter.all(pods)).items().stream()
        .map(o -> o.path("metadata").path("name").asText())
        .toList();
  }

  /** A pod bound to {@code node}, in the default namespace. */
  static ObjectNode pod(String name, String node) {
    ObjectNode pod = EventCodec.json().createObjectNode();
    pod.put("apiVersion", "v1").put("kind", "Pod");
    pod.putObject("metadata").put("name", name).put("namespace", "default");
    pod.putObject("spec")
        .put("nodeName", node)
        .putArray("containers")
        .addObject()
        .put("name", "app")
        .put("image", "nginx");
    return pod;
  }

  /** A pod bound to {@code node} in {@code namespace}, mounting ConfigMap {@code configMap}. */
  static ObjectNode podUsing(String namespace, String name, String node, String configMap) {
    ObjectNode pod = pod(name, node);
    pod.withObject("metadata").put("namespace", namespace);
    ObjectNode volume = pod.withObject("spec").putArray("volumes").addObject();
    volume.put("name", "settings").putObject("configMap").put("name", configMap);
    return pod;
  }

  /**
   * A pod as {@link #podUsing}, also mounting PersistentVolumeClaim {@code claim} of its namespace.
   */
  static ObjectNode podUsingClaim(
      String namespace, String name, String node, String configMap, String claim) {
    ObjectNode pod = podUsing(namespace, name, node, configMap);
    ObjectNode volume = pod.withObject("spec").withArray("volumes").addObject();
    volume.put("name", "data").putObject("persistentVolumeClaim").put("claimName", claim);
    return pod;
  }

  /** A claim bound to PersistentVolume {@code volume}, as the cluster's binder leaves it. */
  static ObjectNode claim(String namespace, String name, String volume) {
    ObjectNode claim = EventCodec.json().createObjectNode();
    claim.put("apiVersion", "v1").put("kind", "PersistentVolumeClaim");
    claim.putObject("metadata").put("name", name).put("namespace", namespace);
    ObjectNode spec = claim.putObject("spec").put("volumeName", volume);
    spec.putArray("accessModes").add("ReadWriteOnce");
    spec.putObject("resources").putObject("requests").put("storage", "1Gi");
    claim.putObject("status").put("phase", "Bound");
    return claim;
  }

  /** A local PersistentVolume bound to claim {@code namespace/claim}. */
  static ObjectNode persistentVolume(String name, String namespace, String claim) {
    ObjectNode volume = EventCodec.json().createObjectNode();
    volume.put("apiVersion", "v1").put("kind", "PersistentVolume");
    volume.putObject("metadata").put("name", name);
    ObjectNode spec = volume.putObject("spec");
    spec.putObject("capacity").put("storage", "1Gi");
    spec.putArray("accessModes").add("ReadWriteOnce");
    spec.putObject("local").put("path", "/mnt/disks/" + name);
    spec.putObject("claimRef").put("namespace", namespace).put("name", claim);
    volume.putObject("status").put("phase", "Bound");
    return volume;
  }

  static ObjectNode configMap(String namespace, String name) {
    ObjectNode map = EventCodec.json().createObjectNode();
    map.put("apiVersion", "v1").put("kind", "ConfigMap");
    map.putObject("metadata").put("name", name).put("namespace", namespace);
    map.putObject("data").put("mode", "test");
    return map;
  }

  /** A pod an edge agent creates bound to its own node (a mirror pod), as fabric8 sends it. */
  static io.fabric8.kubernetes.api.model.Pod mirrorPod(String namespace, String node) {
    return new io.fabric8.kubernetes.api.model.PodBuilder()
        .withNewMetadata()
        .withName("mirror")
        .withNamespace(namespace)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .addNewContainer()
        .withName("app")
        .withImage("busybox")
        .endContainer()
        .endSpec()
        .build();
  }

  static ObjectNode node(String name) {
    ObjectNode node = EventCodec.json().createObjectNode();
    node.put("apiVersion", "v1").put("kind", "Node");
    node.putObject("metadata").put("name", name);
    return node;
  }

  @Override
  public void close() {
    parts.close();
  }
}
