package io.kedge.schemas;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * How a kedge topic is created: partition count, cleanup policy and retention. {@code retention} is
 * ignored for compacted topics.
 */
public record TopicPolicy(int partitions, boolean compacted, Duration retention) {
  public TopicPolicy {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
    }
    if (!compacted && (retention == null || retention.isNegative() || retention.isZero())) {
      throw new IllegalArgumentException("retention must be positive, got " + retention);
    }
  }

  /** Topic configs for AdminClient {@code createTopics}. */
  public Map<String, String> topicConfigs() {
    Map<String, String> configs = new HashMap<>();
    if (compacted) {
      configs.put("cleanup.policy", "compact");
    } else {
      configs.put("cleanup.policy", "delete");
      configs.put("retention.ms", Long.toString(retention.toMillis()));
    }
    return configs;
  }
}
