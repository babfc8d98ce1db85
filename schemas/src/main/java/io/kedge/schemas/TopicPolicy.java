package io.kedge.schemas;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * How a kedge topic is created: partition count, cleanup policy and retention. {@code retention} is
 * ignored for compacted topics. {@code indexIntervalBytes} (0: the broker's default, 4 KiB) spaces
 * the broker's offset and time index entries; see {@link #perNode}.
 */
public record TopicPolicy(
    int partitions, boolean compacted, Duration retention, int indexIntervalBytes) {
  /**
   * Index spacing of the per-node topics: a fetch at an offset between two entries scans at most
   * this much, what one fetch of a partition reads by default ({@code max.partition.fetch.bytes}).
   */
  public static final int NODE_INDEX_INTERVAL_BYTES = 1024 * 1024;

  public TopicPolicy(int partitions, boolean compacted, Duration retention) {
    this(partitions, compacted, retention, 0);
  }

  /**
   * A node topic: one of many (one per edge node) that each carry little. With the default spacing
   * the broker writes an index entry every 4 KiB of each, into a memory-mapped index file per
   * partition, and faulting in those files' pages was about half of the broker's request handling
   * when the router wrote to 1,000 node topics (docs/benchmarks.md).
   */
  public static TopicPolicy perNode(Duration retention) {
    return new TopicPolicy(1, false, retention, NODE_INDEX_INTERVAL_BYTES);
  }

  public TopicPolicy {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
    }
    if (!compacted && (retention == null || retention.isNegative() || retention.isZero())) {
      throw new IllegalArgumentException("retention must be positive, got " + retention);
    }
    if (indexIntervalBytes < 0) {
      throw new IllegalArgumentException(
          "indexIntervalBytes must be >= 0 (0: broker default), got " + indexIntervalBytes);
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
    if (indexIntervalBytes > 0) {
      configs.put("index.interval.bytes", Integer.toString(indexIntervalBytes));
    }
    return configs;
  }
}
