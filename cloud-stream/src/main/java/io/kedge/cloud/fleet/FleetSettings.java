package io.kedge.cloud.fleet;

import io.kedge.runtime.config.Config;
import io.kedge.runtime.config.ConfigKey;
import java.time.Duration;

/**
 * How the cloud keeps the fleet's state from the nodes' heartbeats.
 *
 * @param offlineAfter a node whose last heartbeat is older is offline, whatever it last said
 * @param nodeMetrics whether to export per-node series (a {@code node} label); off, only fleet
 *     totals are exported, for fleets too large for one series per node
 * @param lookback how far back in {@code kedge.upstream} a starting cloud reads heartbeats
 */
public record FleetSettings(Duration offlineAfter, boolean nodeMetrics, Duration lookback) {
  public static final ConfigKey<Duration> OFFLINE_AFTER =
      ConfigKey.duration(
          "fleet.offline-after",
          Duration.ofSeconds(45),
          Duration.ofSeconds(1),
          "A node with no heartbeat for this long is offline (three edge.heartbeat-interval).");
  public static final ConfigKey<Boolean> NODE_METRICS =
      ConfigKey.bool(
          "fleet.node-metrics",
          true,
          "Export per-node fleet series (label node); false: fleet totals only, for fleets of"
              + " many thousands of nodes.");
  public static final ConfigKey<Duration> LOOKBACK =
      ConfigKey.duration(
          "fleet.lookback",
          Duration.ofHours(1),
          Duration.ofMinutes(1),
          "How far back in the upstream topic a starting cloud reads the nodes' heartbeats.");

  public static FleetSettings defaults() {
    return new FleetSettings(
        OFFLINE_AFTER.defaultValue(), NODE_METRICS.defaultValue(), LOOKBACK.defaultValue());
  }

  public static FleetSettings from(Config config) {
    return new FleetSettings(
        config.get(OFFLINE_AFTER), config.get(NODE_METRICS), config.get(LOOKBACK));
  }
}
