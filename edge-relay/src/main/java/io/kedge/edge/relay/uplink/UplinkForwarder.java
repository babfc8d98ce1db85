package io.kedge.edge.relay.uplink;

import io.kedge.edge.relay.log.PositionFile;
import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ResyncRequest;
import io.kedge.schemas.authorization.NodeSignatures;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards the uplink queue to the upstream topic with an idempotent producer. The forwarded
 * position is persisted only after the broker acknowledged every event up to it, so a crash resends
 * at most the unacknowledged tail, with the same ids.
 */
public final class UplinkForwarder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UplinkForwarder.class);
  private static final int BATCH = 500;

  private final String node;
  private final URI source;
  private final UplinkLog uplink;
  private final Producer<String, byte[]> producer;
  private final String topic;
  private final PositionFile position;
  private final EventCodec codec;
  private final Thread thread;
  private final AtomicLong forwarded = new AtomicLong(-1);
  private final AtomicLong dropped = new AtomicLong();
  private final UplinkBounds bounds;
  private final Clock clock;
  private final NodeSignatures.NodeKey nodeKey;
  private volatile boolean running = true;

  /** The forwarding thread's reader, and the index of the last event it read (or started after). */
  private UplinkLog.Reader reader;

  private long readerAfter;

  public UplinkForwarder(
      String node,
      UplinkLog uplink,
      Producer<String, byte[]> producer,
      String topic,
      Path positionFile,
      EventCodec codec) {
    this(
        node,
        uplink,
        producer,
        topic,
        positionFile,
        codec,
        UplinkBounds.unbounded(),
        Clock.systemUTC());
  }

  /**
   * @param bounds how much may wait; with DROP_OLDEST this forwarder drops what exceeds them
   */
  public UplinkForwarder(
      String node,
      UplinkLog uplink,
      Producer<String, byte[]> producer,
      String topic,
      Path positionFile,
      EventCodec codec,
      UplinkBounds bounds,
      Clock clock) {
    this(node, uplink, producer, topic, positionFile, codec, bounds, clock, null);
  }

  /**
   * @param nodeKey the node's upstream key: every record is signed with it ({@link
   *     NodeSignatures}); null: records go unsigned
   */
  public UplinkForwarder(
      String node,
      UplinkLog uplink,
      Producer<String, byte[]> producer,
      String topic,
      Path positionFile,
      EventCodec codec,
      UplinkBounds bounds,
      Clock clock,
      NodeSignatures.NodeKey nodeKey) {
    this.nodeKey = nodeKey;
    this.bounds = bounds;
    this.clock = clock;
    this.node = node;
    this.source = URI.create("/kedge/edge/" + node);
    this.uplink = uplink;
    this.producer = producer;
    this.topic = topic;
    this.position = new PositionFile(positionFile, "uplink");
    this.codec = codec;
    this.forwarded.set(position.read().orElse(-1));
    this.thread = new Thread(this::run, "kedge-uplink-" + node);
    thread.setDaemon(true);
  }

  public UplinkForwarder start() {
    thread.start();
    return this;
  }

  /** The uplink index of the last event the broker acknowledged ({@code -1}: none). */
  public long forwardedIndex() {
    return forwarded.get();
  }

  /** Events dropped because the uplink was full (policy DROP_OLDEST). */
  public long droppedCount() {
    return dropped.get();
  }

  /** The id an uplink event carries: stable across resends. */
  public static String eventId(String node, long index) {
    return node + "-" + index;
  }

  private void run() {
    try {
      forward();
    } finally {
      closeReader(); // on this thread: tailers are single-threaded
    }
  }

  private void forward() {
    long backoffMs = 100;
    while (running) {
      try {
        int sent = forwardBatch();
        backoffMs = 100;
        if (sent == 0) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
      } catch (RuntimeException e) {
        closeReader(); // the next try reads again from the last acknowledged event
        LOG.warn(
            "uplink of node {} cannot reach Kafka after index {}: {}; retrying in {} ms",
            node,
            forwarded.get(),
            e.toString(),
            backoffMs);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMs));
        backoffMs = Math.min(backoffMs * 2, 10_000);
      }
    }
  }

  private record InFlight(long index, Future<RecordMetadata> ack) {}

  private int forwardBatch() {
    if (uplink.lastIndex() <= forwarded.get()) {
      return 0;
    }
    trim(); // also while the broker is away: that is when the queue grows
    // Fails fast (no send at all) while the topic's metadata is unknown, e.g. the broker is down:
    // a batch whose first sends fail but later ones succeed would be resent, doubling the latter.
    producer.partitionsFor(topic);
    List<InFlight> inFlight = new ArrayList<>();
    UplinkLog.Reader batchReader = readerAfter(forwarded.get());
    UplinkLog.Pending pending;
    while (inFlight.size() < BATCH && (pending = batchReader.next()) != null) {
      readerAfter = pending.index();
      KedgeEvent event =
          KedgeEvent.withId(
              eventId(node, pending.index()), source, pending.subject(), pending.data());
      ProducerRecord<String, byte[]> record = codec.toRecord(topic, node, event);
      if (nodeKey != null) {
        nodeKey.sign(node, record.key(), record.value(), record.headers());
      }
      inFlight.add(new InFlight(pending.index(), producer.send(record)));
    }
    if (inFlight.isEmpty()) {
      return 0;
    }
    producer.flush();
    // Wait for every send to finish one way or the other (the producer's delivery timeout bounds
    // this): resending while earlier sends are still in flight would double them. The position
    // moves past the acknowledged prefix only, so a retry resends as little as possible.
    long acknowledged = forwarded.get();
    Exception failure = null;
    for (InFlight send : inFlight) {
      try {
        send.ack().get();
        if (failure == null) {
          acknowledged = send.index();
        }
      } catch (ExecutionException e) {
        failure = failure == null ? e : failure;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    if (acknowledged != forwarded.get()) {
      position.write(acknowledged);
      forwarded.set(acknowledged);
    }
    if (failure != null) {
      throw new IllegalStateException("send not acknowledged: " + failure.getCause(), failure);
    }
    return inFlight.size();
  }

  /**
   * A reader positioned after {@code index}: the one the last batch read with when it stopped there
   * (every batch that was acknowledged), else a new one. Opening a tailer per batch cost a fifth of
   * this thread's time.
   */
  private UplinkLog.Reader readerAfter(long index) {
    if (reader == null || readerAfter != index) {
      closeReader();
      reader = uplink.readAfter(index);
      readerAfter = index;
    }
    return reader;
  }

  private void closeReader() {
    if (reader != null) {
      reader.close();
      reader = null;
    }
  }

  /**
   * With DROP_OLDEST, drops the oldest events beyond {@code maxEvents} or older than {@code
   * maxAge}: the position moves past them. Resync requests among them are queued again rather than
   * dropped, so the node still gets its snapshot.
   */
  void trim() {
    if (bounds.policy() != UplinkBounds.FullPolicy.DROP_OLDEST) {
      return;
    }
    long start = forwarded.get();
    long excess = uplink.countAfter(start) - bounds.maxEvents();
    long cutoff = clock.millis() - bounds.maxAge().toMillis();
    long count = 0;
    long last = start;
    List<ResyncRequest> requeue = new ArrayList<>();
    try (UplinkLog.Reader trimReader = uplink.readAfter(start)) {
      UplinkLog.Pending pending;
      while ((pending = trimReader.next()) != null) {
        boolean tooMany = count < excess;
        boolean tooOld = pending.appendedAtMs() != 0 && pending.appendedAtMs() < cutoff;
        if (!tooMany && !tooOld) {
          break;
        }
        if (pending.data() instanceof ResyncRequest request) {
          requeue.add(request);
        } else {
          count++;
        }
        last = pending.index();
      }
    }
    if (last == start) {
      return;
    }
    requeue.forEach(request -> uplink.append(request, "")); // durable before the skip is
    position.write(last);
    forwarded.set(last);
    dropped.addAndGet(count);
    LOG.warn(
        "uplink of node {} is full (at most {} events, none older than {}): dropped the {} oldest"
            + " events up to uplink index {} (uplink.full-policy=DROP_OLDEST); {} dropped in all",
        node,
        bounds.maxEvents(),
        bounds.maxAge(),
        count,
        last,
        dropped.get());
  }

  @Override
  public void close() {
    running = false;
    DaemonThreads.join(thread, 10_000);
  }
}
