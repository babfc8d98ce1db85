package io.kedge.cloud;

import io.kedge.schemas.KedgeTopics;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * Keeps the Kafka clients' per-topic meters of node topics out of the cloud's registry.
 *
 * <p>The router's Kafka Streams metrics are bound to {@code /metrics}, and its producer and tasks
 * keep about a dozen meters for every topic they write to (records and bytes sent, compression,
 * retries, errors): with a topic per node, every scrape grew by a dozen series per node, over a
 * hundred thousand at 10,000 nodes. Node topics' positions are watched per node through kedge's own
 * series ({@code kedge_fleet_node_lag_records}); the producers' totals stay.
 */
public final class NodeTopicMeters {
  private NodeTopicMeters() {}

  /** Denies Kafka client meters whose {@code topic} tag is a node topic of {@code topics}. */
  public static MeterFilter deny(KedgeTopics topics) {
    return MeterFilter.deny(id -> isKafkaNodeTopicMeter(id, topics));
  }

  private static boolean isKafkaNodeTopicMeter(Meter.Id id, KedgeTopics topics) {
    String topic = id.getTag("topic");
    return id.getName().startsWith("kafka.") && topic != null && topics.isNodeTopic(topic);
  }
}
