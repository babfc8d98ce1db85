package io.kedge.cloud.router;

import io.kedge.schemas.DeadLetter;
import io.kedge.schemas.EventData;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.WriteResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the router's processors send out, and where: events for a node's topic, a write's answer to
 * the node that asked, and dead letters with their coordinates. The sinks are named here.
 */
final class RouterOutputs {
  private static final Logger LOG = LoggerFactory.getLogger(RouterOutputs.class);

  /** The source of every event the router writes. */
  static final URI SOURCE = URI.create("/kedge/cloud/router");

  static final String NODE_SINK = "node-topics";
  static final String DEADLETTER_SINK = "deadletter";
  static final String FANOUT_SINK = "fanout";

  /** Original key and value bytes of a dead letter. */
  record DeadLetterValue(byte[] key, byte[] value) {}

  private RouterOutputs() {}

  /** Sends {@code data} about {@code key} (null: a marker of its own) to {@code node}'s topic. */
  static void emit(
      ProcessorContext<String, Object> context, String node, ObjectKey key, EventData data) {
    KedgeEvent event = KedgeEvent.of(SOURCE, key == null ? "" : key.toString(), data);
    String recordKey = key == null ? event.id() : key.toString();
    context.forward(
        new Record<String, Object>(
            recordKey, new Routed(node, event), context.currentSystemTimeMs()),
        NODE_SINK);
  }

  /** Sends a write's answer to the node that asked, if its topic exists. */
  static void answer(
      ProcessorContext<String, Object> context,
      KeyValueStore<String, String> nodes,
      String node,
      WriteResponse response) {
    if (nodes.get(node) == null) {
      LOG.warn(
          "write {} came from node {}, which has no Node object: the answer {} is not sent",
          response.requestId(),
          node,
          response.code());
      return;
    }
    KedgeEvent event = KedgeEvent.of(SOURCE, response.requestId(), response);
    context.forward(
        new Record<String, Object>(
            response.requestId(), new Routed(node, event), context.currentSystemTimeMs()),
        NODE_SINK);
  }

  /** Sends {@code record} to the dead-letter topic with its coordinates, the stage and why. */
  static void deadLetter(
      ProcessorContext<String, Object> context,
      Record<String, byte[]> record,
      String stage,
      String reason) {
    RecordMetadata from = context.recordMetadata().orElseThrow();
    LOG.warn(
        "{}: dead-lettering {}-{}@{}: {}",
        stage,
        from.topic(),
        from.partition(),
        from.offset(),
        reason);
    RecordHeaders headers = new RecordHeaders(record.headers().toArray());
    DeadLetter.annotate(headers, from.topic(), from.partition(), from.offset(), stage, reason);
    byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
    context.forward(
        new Record<String, Object>(
            record.key(), new DeadLetterValue(key, record.value()), record.timestamp(), headers),
        DEADLETTER_SINK);
  }
}
