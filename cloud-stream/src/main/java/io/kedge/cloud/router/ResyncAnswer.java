package io.kedge.cloud.router;

import io.kedge.schemas.ResourceUpsert;
import io.kedge.schemas.ResyncBegin;
import io.kedge.schemas.ResyncEnd;
import io.kedge.schemas.ResyncRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One router task's part of a node's resync: a begin marker, every object of this partition the
 * node holds (referenced ones first, so a Pod never arrives before its ConfigMap), and an end
 * marker with the count, both numbered by the partition so the edge knows when all parts have
 * arrived.
 *
 * <p>It reads only what the node holds: the node's entries of the held index, the broadcast kinds'
 * objects, and for each of them whether it is referenced and the object itself. The store records
 * it read are counted in the stream thread's {@value #READS_METRIC} ({@value #METRICS_GROUP}), so
 * that a resync of one node among many shows it touched no other node's objects. The one-time build
 * of the held index (after an upgrade or a change of broadcast kinds, usually at the task's first
 * routed event) is not a resync read: {@link Holdings} logs it.
 */
final class ResyncAnswer {
  private static final Logger LOG = LoggerFactory.getLogger(ResyncAnswer.class);

  /** The Kafka Streams metrics group of the router's own metrics. */
  static final String METRICS_GROUP = "stream-kedge-router-metrics";

  /** Store records read to answer resyncs, per stream thread. */
  static final String READS_METRIC = "resync-store-reads-total";

  private final ProcessorContext<String, Object> context;
  private final KeyValueStore<String, String> nodes;
  private final Holdings holdings;
  private final Predicate<String> referenced;
  private final Function<String, ResourceUpsert> objects;
  private final int partitions;
  private final Sensor reads;

  /**
   * @param referenced whether an object (by id) is referenced by another
   * @param objects an object by id, or null
   * @param partitions the partitions of the resources topic: the parts of a resync
   */
  ResyncAnswer(
      ProcessorContext<String, Object> context,
      KeyValueStore<String, String> nodes,
      Holdings holdings,
      Predicate<String> referenced,
      Function<String, ResourceUpsert> objects,
      int partitions) {
    this.context = context;
    this.nodes = nodes;
    this.holdings = holdings;
    this.referenced = referenced;
    this.objects = objects;
    this.partitions = partitions;
    this.reads = readsSensor(context);
  }

  /** The resync reads counted in {@code metrics} (a Kafka Streams instance's), over its threads. */
  static long reads(Map<MetricName, ? extends Metric> metrics) {
    return Math.round(
        metrics.entrySet().stream()
            .filter(metric -> metric.getKey().name().equals(READS_METRIC))
            .filter(metric -> metric.getKey().group().equals(METRICS_GROUP))
            .mapToDouble(metric -> (Double) metric.getValue().metricValue())
            .sum());
  }

  /** The stream thread's sensor of resync reads; its tasks share it. */
  private static Sensor readsSensor(ProcessorContext<?, ?> context) {
    String thread = Thread.currentThread().getName();
    Sensor sensor =
        context
            .metrics()
            .addSensor("kedge-router-resync-reads-" + thread, Sensor.RecordingLevel.INFO);
    sensor.add(
        new MetricName(
            READS_METRIC,
            METRICS_GROUP,
            "Store records the router read to answer resyncs",
            Map.of("thread-id", thread)),
        new CumulativeSum());
    return sensor;
  }

  void answer(ResyncRequest request) {
    String node = request.node();
    if (nodes.get(node) == null) {
      LOG.warn("resync {}: node {} was removed since it asked", request.requestId(), node);
      return;
    }
    int part = context.taskId().partition();
    RouterOutputs.emit(context, node, null, new ResyncBegin(request.requestId(), part, partitions));
    long count = 0;
    List<String> held = holdings.heldBy(node);
    long read = held.size(); // the entries the scans returned
    List<String> first = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (String id : held) {
      (referenced.test(id) ? first : others).add(id);
      read++;
    }
    for (List<String> ids : List.of(first, others)) {
      for (String id : ids) {
        ResourceUpsert object = objects.apply(id);
        read++;
        if (object != null) {
          RouterOutputs.emit(context, node, object.key(), object);
          count++;
        }
      }
    }
    RouterOutputs.emit(
        context, node, null, new ResyncEnd(request.requestId(), count, part, partitions));
    reads.record(read);
    LOG.info(
        "resync {} for node {}: {} objects of partition {}, {} store records read ({})",
        request.requestId(),
        node,
        count,
        part,
        read,
        request.reason());
  }
}
