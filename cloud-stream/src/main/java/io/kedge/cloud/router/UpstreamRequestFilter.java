package io.kedge.cloud.router;

import io.kedge.schemas.EventCodec;
import io.kedge.schemas.EventData;
import io.kedge.schemas.EventType;
import io.kedge.schemas.InvalidEventException;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResyncRequest;
import io.kedge.schemas.WriteRequest;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Passes resync and write requests from the upstream topic, unchanged, to the router's requests
 * topic, which is partitioned like the resources topic so the router and the applier can answer
 * from the same stores: a write request is keyed by its object, a resync request by its node's Node
 * (whose task knows whether the node exists). When the cloud checks signatures, a request passes
 * only if the node that signed it is the node it is about; others are counted and dead-lettered
 * with the node they claim and the node that sent them. Validation of the request itself happens
 * after, where what cannot be read is dead-lettered.
 */
final class UpstreamRequestFilter implements Processor<String, byte[], String, Object> {
  static final String REQUESTS_SINK = "requests-out";

  private final NodeTrust trust;
  private final EventCodec codec = new EventCodec();
  private ProcessorContext<String, Object> context;

  UpstreamRequestFilter(NodeTrust trust) {
    this.trust = trust;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (!is(record.headers(), EventType.RESYNC_REQUEST)
        && !is(record.headers(), EventType.WRITE_REQUEST)) {
      return;
    }
    EventData data = decoded(record);
    String claimedNode = "";
    String partitionKey = record.key();
    if (data instanceof WriteRequest write) {
      claimedNode = write.node();
      partitionKey = write.key().toString();
    } else if (data instanceof ResyncRequest resync) {
      claimedNode = resync.node();
      partitionKey = nodeKey(resync.node());
    }
    String refusal = trust.refusal(record.key(), record.value(), record.headers(), claimedNode);
    if (refusal != null) {
      RouterOutputs.deadLetter(context, record, "upstream", refusal);
      return;
    }
    context.forward(record.withKey(partitionKey).withValue((Object) record.value()), REQUESTS_SINK);
  }

  /** The request, or null when it cannot be read (the requests' own validation dead-letters it). */
  private EventData decoded(Record<String, byte[]> record) {
    try {
      return codec.decode(record.headers(), record.value()).data();
    } catch (InvalidEventException e) {
      return null;
    }
  }

  /** The record key of {@code node}'s Node object. */
  static String nodeKey(String node) {
    return new ObjectKey("", "v1", "Node", "", node).toString();
  }

  /** True when the record's {@code ce_type} is {@code type} in any major version. */
  static boolean is(Headers headers, EventType type) {
    Header header = headers.lastHeader("ce_type");
    return header != null
        && new String(header.value(), StandardCharsets.UTF_8).startsWith(type.baseName() + ".v");
  }
}
