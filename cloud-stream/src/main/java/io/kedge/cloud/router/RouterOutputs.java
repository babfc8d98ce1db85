package io.kedge.cloud.router;

import io.kedge.schemas.DeadLetter;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.EventData;
import io.kedge.schemas.EventType;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.WriteResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
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

  /**
   * Sends {@code data} about {@code key} as a router event, keyed by {@code key}, to one of the
   * router's own topics ({@code sink}: the fanout or the requests topic).
   */
  static void forwardEvent(
      ProcessorContext<String, Object> context, String sink, String key, EventData data) {
    RecordHeaders headers = new RecordHeaders();
    byte[] value = CODEC.encode(KedgeEvent.of(SOURCE, key, data), headers);
    context.forward(
        new Record<String, Object>(key, value, context.currentSystemTimeMs(), headers), sink);
  }

  /**
   * Write answers for nodes this task does not know yet, by {@code node\nrequestId}: a node that
   * has just joined writes before its topic exists, or before the instance of its Node's partition
   * has told this one of it. They are sent when the node becomes known ({@link #releaseHeld}).
   */
  static final String HELD_ANSWERS = "router-held-answers";

  /** Answers held per task at most: beyond it a node that never appears cannot fill the disk. */
  static final long MAX_HELD_ANSWERS = 100_000;

  private static final EventCodec CODEC = new EventCodec();

  /**
   * Sends a write's answer to the node that asked; holds it until the node is known if its topic
   * does not exist yet (as far as this task knows).
   */
  static void answer(
      ProcessorContext<String, Object> context,
      KeyValueStore<String, String> nodes,
      String node,
      WriteResponse response) {
    if (nodes.get(node) == null) {
      KeyValueStore<String, byte[]> held = context.getStateStore(HELD_ANSWERS);
      if (held.approximateNumEntries() >= MAX_HELD_ANSWERS) {
        LOG.warn(
            "write {} came from node {}, which this router task does not know; {} answers are"
                + " held already: the answer {} is not sent",
            response.requestId(),
            node,
            MAX_HELD_ANSWERS,
            response.code());
        return;
      }
      LOG.info(
          "write {} came from node {}, whose topic this router task does not know yet: the answer"
              + " {} is sent when it does",
          response.requestId(),
          node,
          response.code());
      held.put(node + "\n" + response.requestId(), CODEC.encodeData(response));
      return;
    }
    send(context, node, response);
  }

  private static void send(
      ProcessorContext<String, Object> context, String node, WriteResponse response) {
    KedgeEvent event = KedgeEvent.of(SOURCE, response.requestId(), response);
    context.forward(
        new Record<String, Object>(
            response.requestId(), new Routed(node, event), context.currentSystemTimeMs()),
        NODE_SINK);
  }

  /**
   * {@code node} is known now: the answers held for it go to its topic (the edge matches them by
   * id).
   */
  static void releaseHeld(ProcessorContext<String, Object> context, String node) {
    int sent = 0;
    for (var entry : takeHeld(context, node)) {
      send(
          context,
          node,
          (WriteResponse) CODEC.decodeData(EventType.WRITE_RESPONSE, entry.getValue()));
      sent++;
    }
    if (sent > 0) {
      LOG.info("node {}: sent {} held write answers", node, sent);
    }
  }

  /** {@code node} is gone: the answers held for it are dropped. */
  static void dropHeld(ProcessorContext<String, Object> context, String node) {
    takeHeld(context, node);
  }

  private static java.util.List<java.util.Map.Entry<String, byte[]>> takeHeld(
      ProcessorContext<String, Object> context, String node) {
    KeyValueStore<String, byte[]> held = context.getStateStore(HELD_ANSWERS);
    java.util.List<java.util.Map.Entry<String, byte[]>> taken = new java.util.ArrayList<>();
    String prefix = node + "\n";
    try (var it = held.prefixScan(prefix, new StringSerializer())) {
      it.forEachRemaining(kv -> taken.add(java.util.Map.entry(kv.key, kv.value)));
    }
    taken.forEach(entry -> held.delete(entry.getKey()));
    return taken;
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
