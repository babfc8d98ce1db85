package io.kedge.cloud.router;

import io.kedge.cloud.kube.KubeWrites;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.ResourcePartitioner;
import io.kedge.schemas.TopicDescriptor;
import io.kedge.schemas.TopicPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the ROUTER topology: a pure factory that production and {@code TopologyTestDriver} tests
 * call alike.
 *
 * <pre>
 * resources ◄───────────────────────────────────────┐ (applied writes)
 *     └──────────────────────────────┬─► route ─────┼─► node topics (objects, resync, answers)
 * upstream ─► request filter ─► requests ─┤  ▲   │  │   └─► dead-letter
 *  (resync and write requests)            │  └ fanout (node joins and leaves, resyncs)
 *                                         └─► apply ┘
 * route ─► requests (the nodes holding a claim, to the partition of its volume)
 * </pre>
 *
 * <p>The resources topic is partitioned by {@link ResourcePartitioner}; a task per partition holds
 * the stores of its objects, so a Pod meets the ConfigMaps, Secrets and claims it references; a
 * PersistentVolume, placed by its name, hears through the requests topic where the claim bound to
 * it is held ({@link RemoteReferences}). A write request goes to the partition of its object, so
 * the applier decides against exactly the state the router routes. A resync request goes to the
 * partition of the node's Node, whose task knows whether the node exists; it, and each Node's
 * arrival and removal, are then sent to every partition through the fanout topic, so every task
 * knows every node and answers its part of a resync (see docs/architecture.md).
 */
public final class RouterTopology {
  /** Kinds every edge node receives unless configured otherwise. */
  public static final Set<String> DEFAULT_BROADCAST_KINDS =
      Set.of(
          "/Service",
          "/Endpoints",
          "discovery.k8s.io/EndpointSlice",
          // kubectl get namespaces, and the namespace pickers of k9s and other tools
          "/Namespace",
          "apiextensions.k8s.io/CustomResourceDefinition",
          "rules.kubeedge.io/RuleEndpoint",
          // what a kubelet and CSI node plugins read on every node
          "node.k8s.io/RuntimeClass",
          "storage.k8s.io/CSIDriver");

  /** How long a Kubernetes write waits to be read back by the informers before it is answered. */
  static final Duration KUBE_READ_BACK_WAIT = Duration.ofSeconds(5);

  private RouterTopology() {}

  /**
   * The router-internal topic carrying resync and write requests, partitioned like the resources
   * topic.
   */
  public static String requestsTopic(KedgeTopics topics) {
    return topics.prefix() + ".router.requests";
  }

  /**
   * The router-internal topic carrying, to every partition, the nodes that appear and go and the
   * resyncs each partition answers a part of.
   */
  public static String fanoutTopic(KedgeTopics topics) {
    return topics.prefix() + ".router.fanout";
  }

  /** The router's own topics, partitioned as the resources topic's {@code partitions}. */
  public static List<TopicDescriptor<String, byte[]>> internalTopics(
      KedgeTopics topics, int partitions) {
    TopicPolicy policy = new TopicPolicy(partitions, false, Duration.ofDays(1));
    return List.of(
        new TopicDescriptor<>(requestsTopic(topics), Serdes.String(), Serdes.ByteArray(), policy),
        new TopicDescriptor<>(fanoutTopic(topics), Serdes.String(), Serdes.ByteArray(), policy));
  }

  /**
   * An empty topology. Its config is a placeholder that Kafka Streams replaces with the router's
   * own when it starts (only topology overrides carry over, and there are none); it enables the
   * processing exception handler for global processing as Kafka Streams 5 will, which the default
   * placeholder does not, and warns about at every start.
   */
  private static Topology newTopology() {
    Properties placeholder = new Properties();
    placeholder.put(StreamsConfig.APPLICATION_ID_CONFIG, "kedge-router");
    placeholder.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    placeholder.put(GLOBAL_PROCESSING_HANDLER, true);
    return new Topology(new TopologyConfig(new StreamsConfig(placeholder)));
  }

  /** Kafka Streams' {@code processing.exception.handler.global.enabled}. */
  static final String GLOBAL_PROCESSING_HANDLER = "processing.exception.handler.global.enabled";

  /**
   * The router's topology over a resources topic of {@code partitions} partitions (the router's own
   * topics have as many).
   *
   * @param kubernetes the cluster edge writes are applied to (its informers feed kedge.resources,
   *     and a write is answered once routed back), or null in standalone mode, where
   *     kedge.resources is the store edge writes are applied to
   * @param trust what is accepted from edge nodes: events their node signed (when it checks
   *     signatures) and writes that are theirs to make
   * @param systemNamespaces whether the standalone applier creates kube-apiserver's system
   *     Namespaces where they are missing ({@link SystemNamespaceKeeper}), as the router does when
   *     it runs; in Kubernetes mode the cluster has its own
   */
  public static Topology build(
      KedgeTopics topics,
      Set<String> broadcastKinds,
      NodeTopics nodeTopics,
      KubeWrites kubernetes,
      NodeTrust trust,
      int partitions,
      boolean systemNamespaces) {
    boolean kube = kubernetes != null;
    Placement placement = new Placement(broadcastKinds);
    Topology topology = newTopology();
    StringDeserializer keys = new StringDeserializer();
    topology.addSource(
        "resources", keys, Serdes.ByteArray().deserializer(), topics.resources().name());
    topology.addSource(
        "upstream", keys, Serdes.ByteArray().deserializer(), topics.upstream().name());
    topology.addProcessor("request-filter", () -> new UpstreamRequestFilter(trust), "upstream");
    topology.addSink(
        UpstreamRequestFilter.REQUESTS_SINK,
        requestsTopic(topics),
        new StringSerializer(),
        new ByteArraySerializer(),
        ROUTED_BY_OBJECT,
        "request-filter");
    topology.addSource(
        "requests-in", keys, Serdes.ByteArray().deserializer(), requestsTopic(topics));
    topology.addSource("fanout-in", keys, Serdes.ByteArray().deserializer(), fanoutTopic(topics));
    topology.addProcessor(
        "route",
        () ->
            new RouteProcessor(
                placement,
                nodeTopics,
                kube,
                partitions,
                fanoutTopic(topics),
                requestsTopic(topics)),
        "resources",
        "requests-in",
        "fanout-in");
    topology.addSink(
        RemoteReferences.SINK,
        requestsTopic(topics),
        new StringSerializer(),
        new ByteArraySerializer(),
        ROUTED_BY_OBJECT,
        "route");
    topology.addSink(
        RouterOutputs.FANOUT_SINK,
        fanoutTopic(topics),
        new StringSerializer(),
        new ByteArraySerializer(),
        TO_EVERY_PARTITION,
        "route");
    Duration dedupeWindow = topics.upstream().policy().retention();
    if (kube) {
      topology.addProcessor(
          "apply",
          () -> new KubernetesApplier(kubernetes, dedupeWindow, KUBE_READ_BACK_WAIT, trust),
          "requests-in");
      topology.addStateStore(
          Stores.keyValueStoreBuilder(
              Stores.persistentKeyValueStore(KubernetesApplier.AWAITING),
              Serdes.String(),
              Serdes.ByteArray()),
          "route",
          "apply");
    } else {
      SystemNamespaceKeeper keeper =
          systemNamespaces ? new SystemNamespaceKeeper(partitions) : null;
      topology.addProcessor(
          "apply", () -> new UplinkApplier(dedupeWindow, trust, keeper), "requests-in");
      topology.addSink(
          UplinkApplier.RESOURCES_SINK,
          topics.resources().name(),
          new StringSerializer(),
          new ByteArraySerializer(),
          ROUTED_BY_OBJECT,
          "apply");
    }
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(RouteProcessor.OBJECTS),
            Serdes.String(),
            Serdes.ByteArray()),
        "route",
        "apply");
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(Holdings.PLACEMENTS), Serdes.String(), Serdes.String()),
        "route",
        "apply"); // which nodes' pods use a claim whose status a node writes
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(RouteProcessor.REFERRERS),
            Serdes.String(),
            Serdes.String()),
        "route");
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(RouteProcessor.NODES), Serdes.String(), Serdes.String()),
        "route",
        "apply");
    for (String store :
        List.of(
            NodeJoins.JOINING,
            RouteProcessor.WAITING,
            RouteProcessor.WRITERS,
            Holdings.HELD,
            RemoteReferences.TOLD,
            RemoteReferences.REFERRERS)) {
      topology.addStateStore(
          Stores.keyValueStoreBuilder(
              Stores.persistentKeyValueStore(store), Serdes.String(), Serdes.String()),
          "route");
    }
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(UplinkApplier.PENDING),
            Serdes.String(),
            Serdes.ByteArray()),
        "route",
        "apply");
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(UplinkApplier.APPLIED), Serdes.String(), Serdes.Long()),
        "apply");
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(RouterOutputs.HELD_ANSWERS),
            Serdes.String(),
            Serdes.ByteArray()),
        "route",
        "apply");
    topology.addSink(
        RouterOutputs.NODE_SINK,
        Routed.topicOf(topics),
        new StringSerializer(),
        new Routed.RoutedSerializer(),
        "route",
        "apply");
    topology.addSink(
        RouterOutputs.DEADLETTER_SINK,
        topics.deadletter().name(),
        new StringSerializer(),
        deadLetterValues(),
        "request-filter",
        "route",
        "apply");
    return topology;
  }

  /** Records keyed by an object key go to that object's partition, as producers place them. */
  private static final StreamPartitioner<String, Object> ROUTED_BY_OBJECT =
      (topic, key, value, partitions) ->
          Optional.of(Set.of(ResourcePartitioner.partition(key, partitions)));

  private static final StreamPartitioner<String, Object> TO_EVERY_PARTITION =
      (topic, key, value, partitions) ->
          Optional.of(
              IntStream.range(0, partitions).boxed().collect(Collectors.toUnmodifiableSet()));

  private static Serializer<RouterOutputs.DeadLetterValue> deadLetterValues() {
    return (topic, value) -> value.value();
  }
}
