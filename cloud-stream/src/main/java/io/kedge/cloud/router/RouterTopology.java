package io.kedge.cloud.router;

import io.kedge.schemas.KedgeTopics;
import java.util.Set;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the ROUTER topology: a pure factory that production and {@code TopologyTestDriver} tests
 * call alike.
 *
 * <pre>
 * resources ──────────────────────────────┐
 * upstream ─► resync filter ─► resync ────┴─► route ─► node topics (by node)
 *                                               └───► dead-letter
 * </pre>
 */
public final class RouterTopology {
  /** Kinds every edge node receives unless configured otherwise. */
  public static final Set<String> DEFAULT_BROADCAST_KINDS =
      Set.of(
          "/Service",
          "/Endpoints",
          "discovery.k8s.io/EndpointSlice",
          "apiextensions.k8s.io/CustomResourceDefinition",
          "rules.kubeedge.io/RuleEndpoint");

  private RouterTopology() {}

  /** The router-internal topic carrying resync requests, partitioned like the resources topic. */
  public static String resyncTopic(KedgeTopics topics) {
    return topics.prefix() + ".router.resync";
  }

  public static Topology build(
      KedgeTopics topics, Set<String> broadcastKinds, NodeTopics nodeTopics) {
    Placement placement = new Placement(broadcastKinds);
    Topology topology = new Topology();
    StringDeserializer keys = new StringDeserializer();
    topology.addSource(
        "resources", keys, Serdes.ByteArray().deserializer(), topics.resources().name());
    topology.addSource(
        "upstream", keys, Serdes.ByteArray().deserializer(), topics.upstream().name());
    topology.addProcessor("resync-filter", ResyncRequestFilter::new, "upstream");
    topology.addSink(
        "resync-out",
        resyncTopic(topics),
        new StringSerializer(),
        new ByteArraySerializer(),
        "resync-filter");
    topology.addSource("resync-in", keys, Serdes.ByteArray().deserializer(), resyncTopic(topics));
    topology.addProcessor(
        "route", () -> new RouteProcessor(placement, nodeTopics), "resources", "resync-in");
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(RouteProcessor.OBJECTS),
            Serdes.String(),
            Serdes.ByteArray()),
        "route");
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(RouteProcessor.PLACEMENTS),
            Serdes.String(),
            Serdes.String()),
        "route");
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(RouteProcessor.REFERRERS),
            Serdes.String(),
            Serdes.String()),
        "route");
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(RouteProcessor.NODES), Serdes.String(), Serdes.String()),
        "route");
    topology.addSink(
        RouteProcessor.NODE_SINK,
        Routed.topicOf(topics),
        new StringSerializer(),
        new Routed.RoutedSerializer(),
        "route");
    topology.addSink(
        RouteProcessor.DEADLETTER_SINK,
        topics.deadletter().name(),
        new StringSerializer(),
        deadLetterValues(),
        "route");
    return topology;
  }

  private static Serializer<RouteProcessor.DeadLetterValue> deadLetterValues() {
    return (topic, value) -> value.value();
  }
}
