package io.kedge.edge.relay.uplink;

import io.kedge.edge.relay.log.DiskReserve;
import io.kedge.edge.relay.log.QueueCycles;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.EventData;
import io.kedge.schemas.EventType;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Edge-originated events waiting to go to the cloud, on a second Chronicle Queue. An event is
 * durable once {@link #append} returns; its log index becomes its stable id ({@code
 * <node>-<index>}), so a resend after a crash is recognised by the cloud as a duplicate.
 */
public final class UplinkLog implements AutoCloseable {
  private static final byte FORMAT_V1 = 1;

  /** Adds the append time, for the uplink's age bound. */
  private static final byte FORMAT = 2;

  /** One queued event. */
  /** One queued event; {@code appendedAtMs} is 0 for events queued by older versions. */
  public record Pending(long index, EventData data, String subject, long appendedAtMs) {}

  private final SingleChronicleQueue queue;
  private final EventCodec codec;
  private final Clock clock;
  private final ExcerptAppender appender;
  private volatile DiskReserve reserve = DiskReserve.NONE;

  /**
   * The last appended index, kept here because asking the queue creates a tailer each time and the
   * forwarder asks every few milliseconds.
   */
  private volatile long lastAppended;

  private UplinkLog(SingleChronicleQueue queue, EventCodec codec, Clock clock) {
    this.queue = queue;
    this.codec = codec;
    this.clock = clock;
    this.appender = queue.createAppender();
    this.lastAppended = queue.lastIndex();
  }

  public static UplinkLog open(Path dir, RollCycle rollCycle, EventCodec codec) {
    return open(dir, rollCycle, codec, Clock.systemUTC());
  }

  /**
   * @param clock stamps each appended event, for the age bound
   */
  public static UplinkLog open(Path dir, RollCycle rollCycle, EventCodec codec, Clock clock) {
    try {
      return new UplinkLog(
          SingleChronicleQueueBuilder.binary(dir).rollCycle(rollCycle).build(), codec, clock);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "cannot open uplink directory " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Appends durably and returns the event's uplink index. Thread-safe. */
  public synchronized long append(EventData data, String subject) {
    // Callers come from several threads (downlink, API, eventbus); this lock serialises them,
    // so the appender may be handed from one thread to the next.
    reserve.check("uplink append");
    appender.singleThreadedCheckReset();
    try (DocumentContext dc = appender.writingDocument()) {
      Bytes<?> bytes = dc.wire().bytes();
      bytes.writeByte(FORMAT);
      bytes.writeLong(clock.millis());
      bytes.writeUtf8(data.type().ceType());
      bytes.writeUtf8(subject == null ? "" : subject);
      byte[] json = codec.encodeData(data);
      bytes.writeStopBit(json.length);
      bytes.write(json);
    }
    lastAppended = appender.lastIndexAppended();
    return lastAppended;
  }

  /** Appends are refused while less than the reserve is free. */
  public UplinkLog withReserve(DiskReserve reserve) {
    this.reserve = reserve;
    return this;
  }

  /**
   * Deletes the closed cycles that hold only events at or before {@code forwardedIndex}; the cycle
   * holding that index is kept, as the forwarder reads on from it. Returns the bytes freed.
   */
  public synchronized long deleteForwardedCycles(long forwardedIndex) throws IOException {
    if (forwardedIndex < 0) {
      return 0;
    }
    int keepFrom = queue.rollCycle().toCycle(forwardedIndex);
    List<QueueCycles.Cycle> done =
        QueueCycles.closed(queue).stream().filter(c -> c.cycle() < keepFrom).toList();
    return QueueCycles.delete(queue, done);
  }

  /** The last event's index ({@code -1}: none yet); this instance is the log's only appender. */
  public long lastIndex() {
    return lastAppended;
  }

  /** How many events follow {@code afterIndex} ({@code -1}: all): the backlog not yet forwarded. */
  public long countAfter(long afterIndex) {
    long last = lastAppended;
    if (last < 0 || last <= afterIndex) {
      return 0;
    }
    long from = afterIndex < 0 ? queue.firstIndex() : afterIndex;
    long count = queue.countExcerpts(from, last) + 1; // [from, last) plus last itself
    return afterIndex < 0 ? count : count - 1; // afterIndex itself was forwarded
  }

  /** The first event after {@code afterIndex}, or null when there is none. */
  public Pending firstAfter(long afterIndex) {
    try (Reader reader = readAfter(afterIndex)) {
      return reader.next();
    }
  }

  /** A reader of events after {@code afterIndex} ({@code -1}: from the start). */
  public Reader readAfter(long afterIndex) {
    ExcerptTailer tailer = queue.createTailer();
    if (afterIndex >= 0 && tailer.moveToIndex(afterIndex)) {
      try (DocumentContext dc = tailer.readingDocument()) {
        // skip the entry at afterIndex itself
      }
    }
    return new Reader(tailer, codec);
  }

  /** Follows the uplink queue; single-threaded. */
  public static final class Reader implements AutoCloseable {
    private final ExcerptTailer tailer;
    private final EventCodec codec;

    Reader(ExcerptTailer tailer, EventCodec codec) {
      this.tailer = tailer;
      this.codec = codec;
    }

    /** The next event, or null when caught up. */
    public Pending next() {
      try (DocumentContext dc = tailer.readingDocument()) {
        if (!dc.isPresent()) {
          return null;
        }
        Bytes<?> bytes = dc.wire().bytes();
        byte format = bytes.readByte();
        long appendedAt = format == FORMAT_V1 ? 0 : bytes.readLong();
        EventType type = EventType.fromCeType(bytes.readUtf8());
        String subject = bytes.readUtf8();
        byte[] json = new byte[(int) bytes.readStopBit()];
        bytes.read(json);
        return new Pending(dc.index(), codec.decodeData(type, json), subject, appendedAt);
      }
    }

    @Override
    public void close() {
      tailer.close();
    }
  }

  @Override
  public synchronized void close() {
    appender.singleThreadedCheckReset();
    appender.close();
    queue.close();
  }
}
