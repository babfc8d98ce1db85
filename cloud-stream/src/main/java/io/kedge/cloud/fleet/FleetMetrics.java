package io.kedge.cloud.fleet;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.function.ToDoubleFunction;

/**
 * The fleet's series: totals always ({@code kedge_fleet_nodes{state}}, the largest lag and
 * backlog), and, unless {@code fleet.node-metrics} is off, one series per node and measure with a
 * {@code node} label, registered as nodes appear (a fleet of N nodes exports 5·N of them).
 */
public final class FleetMetrics {
  private FleetMetrics() {}

  public static void bind(FleetState fleet, MeterRegistry registry) {
    for (String state : new String[] {"online", "offline"}) {
      boolean online = state.equals("online");
      Gauge.builder(
              "kedge_fleet_nodes",
              fleet,
              f -> f.nodes().stream().filter(n -> n.online() == online).count())
          .description(
              "Nodes by state: online (connected, heard from within fleet.offline-after) or"
                  + " offline")
          .tag("state", state)
          .register(registry);
    }
    Gauge.builder(
            "kedge_fleet_lag_records_max",
            fleet,
            f -> f.nodes().stream().mapToLong(NodeHealth::lagRecords).max().orElse(0))
        .description("The largest number of node-topic records a node has not logged yet")
        .register(registry);
    Gauge.builder(
            "kedge_fleet_uplink_backlog_max",
            fleet,
            f -> f.nodes().stream().mapToLong(NodeHealth::uplinkBacklog).max().orElse(0))
        .description("The largest uplink backlog a node reported")
        .register(registry);
    if (fleet.settings().nodeMetrics()) {
      fleet.onNewNode(node -> bindNode(fleet, node, registry));
    }
  }

  private static void bindNode(FleetState fleet, String node, MeterRegistry registry) {
    Tags tags = Tags.of("node", node);
    gauge(
        registry,
        fleet,
        node,
        tags,
        "kedge_fleet_node_online",
        "1 while the node is online",
        h -> h.online() ? 1 : 0);
    gauge(
        registry,
        fleet,
        node,
        tags,
        "kedge_fleet_node_last_seen_seconds",
        "Seconds since the node's last heartbeat was sent",
        NodeHealth::lastSeenSecondsAgo);
    gauge(
        registry,
        fleet,
        node,
        tags,
        "kedge_fleet_node_lag_records",
        "Node-topic records the node has not logged yet",
        h -> Math.max(0, h.lagRecords()));
    gauge(
        registry,
        fleet,
        node,
        tags,
        "kedge_fleet_node_uplink_backlog_events",
        "Uplink events the node holds, not yet in Kafka",
        NodeHealth::uplinkBacklog);
    gauge(
        registry,
        fleet,
        node,
        tags,
        "kedge_fleet_node_disk_free_bytes",
        "Free bytes on the node's data file system",
        NodeHealth::diskFreeBytes);
  }

  private static void gauge(
      MeterRegistry registry,
      FleetState fleet,
      String node,
      Tags tags,
      String name,
      String description,
      ToDoubleFunction<NodeHealth> value) {
    Gauge.builder(name, fleet, f -> f.node(node).map(value::applyAsDouble).orElse(Double.NaN))
        .description(description)
        .tags(tags)
        .register(registry);
  }
}
