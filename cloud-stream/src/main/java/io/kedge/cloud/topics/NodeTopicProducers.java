package io.kedge.cloud.topics;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/** Settings of the producers that write to node topics (the router's, the REST ingress's). */
public final class NodeTopicProducers {
  /**
   * {@code metadata.max.idle.ms} for them. A producer forgets a topic's metadata after 5 minutes
   * without a send (Kafka's default), and its next send to that topic blocks the sending thread
   * until the metadata is fetched again. Most node topics of a large fleet get an event less often
   * than that, so nearly every event would wait a round trip on the router's one stream thread. A
   * day keeps a fleet's topics known (a few hundred bytes each) and still lets removed nodes'
   * topics go.
   */
  public static final long METADATA_MAX_IDLE_MS = Duration.ofDays(1).toMillis();

  private NodeTopicProducers() {}

  /**
   * The producer settings: metadata kept for {@link #METADATA_MAX_IDLE_MS}, and no adaptive
   * partitioning. A node topic has one partition, so there is nothing to adapt, but with it on the
   * sender thread builds queue statistics for every topic on each pass over its partitions (10,000
   * node topics: 1,715 events/s with it, 1,943 without, one run each).
   */
  public static Map<String, Object> settings() {
    return Map.of(
        ProducerConfig.METADATA_MAX_IDLE_CONFIG,
        METADATA_MAX_IDLE_MS,
        ProducerConfig.PARTITIONER_ADAPTIVE_PARTITIONING_ENABLE_CONFIG,
        false);
  }
}
