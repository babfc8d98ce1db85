package io.kedge.schemas;

import java.time.Duration;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The topics of one kedge installation. The prefix (default {@code kedge}) lets several
 * installations share a Kafka cluster.
 */
public final class KedgeTopics {
  public static final String DEFAULT_PREFIX = "kedge";
  private static final Pattern PREFIX = Pattern.compile("[a-zA-Z0-9._-]{1,100}");

  private final String prefix;
  private final Serde<KedgeEvent> eventSerde;
  private final int upstreamPartitions;
  private final Duration nodeRetention;
  private final int resourcePartitions;

  /**
   * @param prefix topic name prefix, 1-100 characters of {@code [a-zA-Z0-9._-]}
   * @param upstreamPartitions partitions of the upstream topic (uplink events keyed by node)
   * @param nodeRetention time retention of node topics
   */
  public KedgeTopics(String prefix, int upstreamPartitions, Duration nodeRetention) {
    this(prefix, upstreamPartitions, nodeRetention, 1);
  }

  /**
   * @param resourcePartitions partitions of the resources topic when kedge creates it (objects
   *     placed by {@link ResourcePartitioner})
   */
  public KedgeTopics(
      String prefix, int upstreamPartitions, Duration nodeRetention, int resourcePartitions) {
    if (prefix == null || !PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException(
          "topic prefix '" + prefix + "' must be 1-100 characters of [a-zA-Z0-9._-]");
    }
    this.prefix = prefix;
    this.eventSerde = new KedgeEventSerde(new EventCodec());
    this.upstreamPartitions = upstreamPartitions;
    this.nodeRetention = nodeRetention;
    this.resourcePartitions = resourcePartitions;
    new TopicPolicy(upstreamPartitions, false, nodeRetention); // validates both
    new TopicPolicy(resourcePartitions, true, null);
  }

  /** Defaults: prefix {@code kedge}, 6 upstream partitions, 7-day node retention. */
  public static KedgeTopics defaults() {
    return new KedgeTopics(DEFAULT_PREFIX, 6, Duration.ofDays(7));
  }

  public String prefix() {
    return prefix;
  }

  /**
   * {@code <prefix>.resources}: object key → resource event; compacted, the standalone store,
   * partitioned by {@link ResourcePartitioner}.
   */
  public TopicDescriptor<String, KedgeEvent> resources() {
    return new TopicDescriptor<>(
        prefix + ".resources",
        Serdes.String(),
        eventSerde,
        new TopicPolicy(resourcePartitions, true, null));
  }

  /** {@code <prefix>.upstream}: node name → uplink event, partitioned by node. */
  public TopicDescriptor<String, KedgeEvent> upstream() {
    return new TopicDescriptor<>(
        prefix + ".upstream",
        Serdes.String(),
        eventSerde,
        new TopicPolicy(upstreamPartitions, false, nodeRetention));
  }

  /**
   * {@code <prefix>.deadletter}: the original key and bytes, with {@link DeadLetter} headers naming
   * where they came from and why.
   */
  public TopicDescriptor<byte[], byte[]> deadletter() {
    return new TopicDescriptor<>(
        prefix + ".deadletter",
        Serdes.ByteArray(),
        Serdes.ByteArray(),
        new TopicPolicy(1, false, Duration.ofDays(30)));
  }

  /**
   * {@code <prefix>.node-keys}: node name → the generation of its current upstream key, in decimal;
   * compacted, one partition. Written by {@code kedge node add|remove}, read by every cloud process
   * that checks signatures.
   */
  public TopicDescriptor<String, String> nodeKeys() {
    return new TopicDescriptor<>(
        prefix + ".node-keys", Serdes.String(), Serdes.String(), new TopicPolicy(1, true, null));
  }

  /** {@code <prefix>.node.<node>}: one partition, so each node sees one total order. */
  public TopicDescriptor<String, KedgeEvent> node(String node) {
    return new TopicDescriptor<>(
        NodeNames.topicFor(prefix, node),
        Serdes.String(),
        eventSerde,
        TopicPolicy.perNode(nodeRetention));
  }

  /** True when {@code topic} is a node topic of this installation. */
  public boolean isNodeTopic(String topic) {
    return topic.startsWith(prefix + ".node.");
  }
}
