package io.kedge.edge.relay.link;

import io.kedge.schemas.EventCodec;
import io.kedge.schemas.EventType;
import io.kedge.schemas.InvalidEventException;
import io.kedge.schemas.ResyncEnd;
import io.kedge.schemas.ResyncParts;
import io.kedge.schemas.ResyncRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.utils.Utils;

/**
 * The downlink's resync: whether one is wanted (asked from any thread) or under way, the request
 * that asks the cloud for the snapshot, and the records that end it, once every part of the
 * snapshot has ended. Its state changes on the downlink's threads; {@link #want} on any.
 */
final class DownlinkResync {
  private static final byte[] RESYNC_END_TYPE =
      EventType.RESYNC_END.ceType().getBytes(StandardCharsets.UTF_8);

  private final String node;
  private final EventCodec codec;
  private volatile String wanted;
  private volatile String pending;
  private ResyncParts parts;

  DownlinkResync(String node, EventCodec codec) {
    this.node = node;
    this.codec = codec;
  }

  /** Asks for a resync as soon as the link allows; the reason goes with the request. */
  void want(String reason) {
    wanted = reason;
  }

  /** The reason a resync is wanted, if one is and none is under way; taken once. */
  String takeWanted() {
    String reason = wanted;
    if (reason == null || pending != null) {
      return null;
    }
    wanted = null;
    return reason;
  }

  /** Starts a resync: the request to send up, whose snapshot is awaited from now on. */
  ResyncRequest begin(String reason) {
    String requestId = node + "-resync-" + UUID.randomUUID();
    pending = requestId;
    parts = new ResyncParts(requestId);
    return new ResyncRequest(node, requestId, reason);
  }

  boolean underWay() {
    return pending != null;
  }

  /**
   * Notes a logged record; returns the last part's end when it completes the snapshot awaited, or
   * null. Ends of other snapshots and invalid records change nothing.
   */
  ResyncEnd completedBy(ConsumerRecord<ByteBuffer, ByteBuffer> record) {
    if (pending == null || !isResyncEnd(record)) {
      return null;
    }
    try {
      if (codec.decode(record.headers(), Utils.toArray(record.value())).data()
              instanceof ResyncEnd end
          && parts.ended(end)) {
        pending = null;
        return end;
      }
    } catch (InvalidEventException e) {
      // poison: the readers report it; the resync goes on waiting for a valid end
    }
    return null;
  }

  private static boolean isResyncEnd(ConsumerRecord<ByteBuffer, ByteBuffer> record) {
    Header type = record.headers().lastHeader("ce_type");
    return type != null && Arrays.equals(type.value(), RESYNC_END_TYPE);
  }
}
