package io.kedge.edge.relay;

import io.kedge.edge.relay.link.LinkState;
import io.kedge.edge.relay.log.QueueCycles;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * An edge node's metrics, tagged with its name: link state and lag, log size, VIEW objects and
 * watchers, API requests, uplink backlog and writes waiting for the cloud.
 */
final class EdgeMetrics {
  private EdgeMetrics() {}

  static void bind(EdgeNode edge, String node, Path dataDir, MeterRegistry registry) {
    Tags tags = Tags.of("node", node);
    for (LinkState state : LinkState.values()) {
      Gauge.builder("kedge_link_state", edge, e -> e.linkState() == state ? 1 : 0)
          .description("1 for the cloud link's current state")
          .tags(tags.and("state", state.name()))
          .register(registry);
    }
    FunctionCounter.builder("kedge_link_disconnects", edge, e -> e.downlink().disconnects())
        .description("Times the cloud link was found down: flapping shows here")
        .tags(tags)
        .register(registry);
    Gauge.builder("kedge_downlink_lag_records", edge, e -> e.downlink().lag())
        .description("Records in the node topic not yet in the log")
        .tags(tags)
        .register(registry);
    Gauge.builder("kedge_downlink_fetch_bytes", edge, e -> e.downlink().fetchBytes())
        .description("Bytes each downlink fetch asks for, sized to the link unless configured")
        .tags(tags)
        .register(registry);
    Gauge.builder("kedge_downlink_offset", edge, e -> e.downlink().lastOffset())
        .description("Offset of the last node-topic record in the log")
        .tags(tags)
        .register(registry);
    Timer appendDelay =
        Timer.builder("kedge_downlink_append_delay")
            .description("From a record's Kafka timestamp to its append to the log")
            .publishPercentileHistogram()
            .tags(tags)
            .register(registry);
    edge.downlink().onAppendDelay(ms -> appendDelay.record(Math.max(0, ms), TimeUnit.MILLISECONDS));
    FunctionCounter.builder("kedge_downlink_poison_total", edge, e -> e.poison().count())
        .description(
            "Node-topic records that failed validation: kept in the log, skipped, dead-lettered")
        .tags(tags)
        .register(registry);
    Gauge.builder("kedge_log_bytes", dataDir, QueueCycles::bytesUnder)
        .description("Bytes on disk of the node's log, uplink queue and snapshots")
        .tags(tags)
        .register(registry);
    Gauge.builder("kedge_eventbus_connected", edge, e -> e.eventbus().connected() ? 1 : 0)
        .description("1 while the relay is connected to the node's MQTT broker")
        .tags(tags)
        .register(registry);
    FunctionCounter.builder(
            "kedge_eventbus_published_total", edge, e -> e.eventbus().publishedCount())
        .description("Rule messages published on the node's eventbus")
        .tags(tags)
        .register(registry);
    FunctionCounter.builder(
            "kedge_eventbus_received_total", edge, e -> e.eventbus().receivedCount())
        .description("Eventbus messages of rule sources stored in the uplink")
        .tags(tags)
        .register(registry);
    twinCounter(
        registry,
        tags,
        edge,
        "reports",
        "Twin reports received from mappers",
        e -> e.twins().reportCount());
    twinCounter(
        registry,
        tags,
        edge,
        "status_writes",
        "Device status writes made from twin reports and states",
        e -> e.twins().statusWriteCount());
    twinCounter(
        registry,
        tags,
        edge,
        "failed_writes",
        "Device status writes that failed (logged with the device)",
        e -> e.twins().failedWriteCount());
    twinCounter(
        registry,
        tags,
        edge,
        "rejected",
        "Twin messages rejected: malformed, or about a device the node lacks",
        e -> e.twins().rejectedCount());
    twinCounter(
        registry,
        tags,
        edge,
        "deltas",
        "twin/update/delta messages sent to mappers",
        e -> e.twins().deltaCount());
    twinCounter(
        registry, tags, edge, "gets", "twin/get requests answered", e -> e.twins().getCount());
    Gauge.builder("kedge_log_disk_free_bytes", edge, e -> e.diskReserve().usableBytes())
        .description("Free bytes on the file system of the node's data")
        .tags(tags)
        .register(registry);
    Gauge.builder("kedge_log_disk_full", edge, e -> e.diskReserve().full() ? 1 : 0)
        .description("1 while appends are refused to keep log.min-free-disk free")
        .tags(tags)
        .register(registry);
    Gauge.builder("kedge_log_disk_budget_bytes", edge, e -> e.retention().diskBudgetBytes())
        .description("Disk budget of the node's data (log.disk-budget)")
        .tags(tags)
        .register(registry);
    FunctionCounter.builder(
            "kedge_log_cycles_deleted_total", edge, e -> e.retention().cyclesDeleted())
        .description("Log cycles deleted by retention or the disk budget, once snapshotted")
        .tags(tags)
        .register(registry);
    Gauge.builder("kedge_log_snapshot_index", edge, e -> e.retention().snapshotIndex())
        .description("Log index of the newest VIEW snapshot (-1: none)")
        .tags(tags)
        .register(registry);
    FunctionCounter.builder(
            "kedge_log_unreadable_entries_total", edge, e -> e.log().unreadableCount())
        .description("Log entries found damaged on disk and skipped (each triggers a resync)")
        .tags(tags)
        .register(registry);
    Gauge.builder("kedge_view_objects", edge, e -> e.view().size())
        .description("Objects the edge API serves")
        .tags(tags)
        .register(registry);
    Gauge.builder("kedge_view_resource_version", edge, e -> e.view().resourceVersion())
        .description("Log index the VIEW has applied")
        .tags(tags)
        .register(registry);
    Gauge.builder("kedge_watchers", edge, e -> e.view().watchCount())
        .description("Open watches on the edge API")
        .tags(tags)
        .register(registry);
    for (String kind : new String[] {"list", "get", "watch", "write"}) {
      FunctionCounter.builder("kedge_api_requests_total", edge, e -> requests(e, kind))
          .description("Edge API requests by kind")
          .tags(tags.and("kind", kind))
          .register(registry);
    }
    Gauge.builder(
            "kedge_uplink_backlog_events",
            edge,
            e -> e.uplinkLog().countAfter(e.uplink().forwardedIndex()))
        .description("Uplink events not yet acknowledged by Kafka")
        .tags(tags)
        .register(registry);
    FunctionCounter.builder("kedge_uplink_dropped_total", edge, e -> e.uplink().droppedCount())
        .description("Uplink events dropped because the queue was full (DROP_OLDEST)")
        .tags(tags)
        .register(registry);
    edge.apiBounds().register(registry, "kedge_edge_api", "edge API", tags);
  }

  private static double requests(EdgeNode edge, String kind) {
    var stats = edge.apiStats();
    return switch (kind) {
      case "list" -> stats.lists();
      case "get" -> stats.gets();
      case "watch" -> stats.watches();
      default -> stats.writes();
    };
  }

  private static void twinCounter(
      MeterRegistry registry,
      Iterable<io.micrometer.core.instrument.Tag> tags,
      EdgeNode edge,
      String name,
      String description,
      java.util.function.ToDoubleFunction<EdgeNode> count) {
    FunctionCounter.builder("kedge_twin_" + name + "_total", edge, count)
        .description(description)
        .tags(tags)
        .register(registry);
  }
}
