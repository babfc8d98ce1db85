package io.kedge.cloud.router;

import io.kedge.schemas.ResourceUpsert;
import io.kedge.schemas.ResyncBegin;
import io.kedge.schemas.ResyncEnd;
import io.kedge.schemas.ResyncRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One router task's part of a node's resync: a begin marker, every object of this partition the
 * node holds (referenced ones first, so a Pod never arrives before its ConfigMap), and an end
 * marker with the count, both numbered by the partition so the edge knows when all parts have
 * arrived.
 */
final class ResyncAnswer {
  private static final Logger LOG = LoggerFactory.getLogger(ResyncAnswer.class);

  private final ProcessorContext<String, Object> context;
  private final KeyValueStore<String, String> nodes;
  private final Holdings holdings;
  private final Predicate<String> referenced;
  private final Function<String, ResourceUpsert> objects;
  private final int partitions;

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
    List<String> first = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (String id : holdings.heldBy(node)) {
      (referenced.test(id) ? first : others).add(id);
    }
    for (List<String> ids : List.of(first, others)) {
      for (String id : ids) {
        ResourceUpsert object = objects.apply(id);
        if (object != null) {
          RouterOutputs.emit(context, node, object.key(), object);
          count++;
        }
      }
    }
    RouterOutputs.emit(
        context, node, null, new ResyncEnd(request.requestId(), count, part, partitions));
    LOG.info(
        "resync {} for node {}: {} objects of partition {} ({})",
        request.requestId(),
        node,
        count,
        part,
        request.reason());
  }
}
