package io.kedge.edge.relay.log;

import io.kedge.edge.api.log.EntryLog;
import io.kedge.edge.api.log.LogEntry;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.InvalidEventException;
import io.kedge.schemas.KedgeEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's durable downlink LOG on Chronicle Queue. Each excerpt holds one Kafka record (key,
 * headers and value, unchanged) together with the partition and offset it came from, written
 * atomically: the last excerpt says exactly where consumption resumes, so nothing is lost or
 * doubled across disconnects and {@code kill -9}. Records are logged as they came, unvalidated: the
 * readers decode each entry anyway, and validating there once keeps that work off the downlink. An
 * entry that fails to decode is POISON (it arrived invalid): readers skip it and report it to
 * {@link #onPoison}; an entry whose checksum fails is damaged on disk and reported to {@link
 * #onUnreadable}. Edge-owned changes made on this node while the cloud is away are LOCAL excerpts,
 * read like events. {@link EntryFormat} gives the layout.
 *
 * <p>Appends are serialised (the downlink, and the API for local changes); any number of readers
 * may follow.
 */
public final class DownlinkLog implements EntryLog, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DownlinkLog.class);

  /** Where the last logged record came from, and its log index. */
  public record Position(int partition, long offset, long index) {}

  /** Written before the first cycles are deleted: the log no longer starts at its beginning. */
  private static final String TRIMMED_MARKER = "kedge-trimmed";

  private final SingleChronicleQueue queue;
  private final EventCodec codec;
  private final Path dir;
  private final boolean fsync;
  private final AtomicLong unreadable = new AtomicLong();
  private volatile LongConsumer onUnreadable = index -> {};
  private volatile PoisonListener onPoison =
      (entry, reason) ->
          LOG.warn(
              "log entry {} (offset {}) is invalid and skipped: {}",
              entry.index(),
              entry.offset(),
              reason);
  private final EntryFormat format = new EntryFormat();
  private ExcerptAppender appender;

  /** Appends so far, and readers parked until the next one (see {@link #awaitAppend}). */
  private final AtomicLong appends = new AtomicLong();

  private final ConcurrentLinkedQueue<Thread> waiters = new ConcurrentLinkedQueue<>();
  private volatile DiskReserve reserve = DiskReserve.NONE;

  /** Kafka coordinates of the last logged record; LOCAL entries repeat them. */
  private int lastPartition = -1;

  private long lastOffset = -1;
  private boolean lastKnown;

  private DownlinkLog(SingleChronicleQueue queue, EventCodec codec, Path dir, boolean fsync) {
    this.queue = queue;
    this.codec = codec;
    this.dir = dir;
    this.fsync = fsync;
  }

  /**
   * Opens (or creates) the log in {@code dir}.
   *
   * @throws IllegalStateException naming the directory when it cannot be used
   */
  public static DownlinkLog open(Path dir, RollCycle rollCycle, EventCodec codec) {
    return open(dir, rollCycle, codec, false, SystemTimeProvider.INSTANCE);
  }

  /**
   * Opens (or creates) the log in {@code dir}.
   *
   * @param fsync force appended entries to disk on {@link #sync()}, for power-loss durability
   * @param time when cycles roll (tests move it)
   * @throws IllegalStateException naming the directory when it cannot be used
   */
  public static DownlinkLog open(
      Path dir, RollCycle rollCycle, EventCodec codec, boolean fsync, TimeProvider time) {
    try {
      SingleChronicleQueue queue =
          SingleChronicleQueueBuilder.binary(dir)
              .rollCycle(rollCycle)
              .timeProvider(time)
              .syncMode(fsync ? SyncMode.SYNC : SyncMode.NONE)
              .build();
      return new DownlinkLog(queue, codec, dir, fsync);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "cannot open log directory " + dir + ": " + e.getMessage(), e);
    }
  }

  public Path dir() {
    return dir;
  }

  /** The partition and offset of the last logged record, if any. */
  public Optional<Position> lastPosition() {
    ExcerptTailer tailer = queue.createTailer().direction(TailerDirection.BACKWARD).toEnd();
    try {
      while (true) {
        try (DocumentContext dc = tailer.readingDocument()) {
          if (!dc.isPresent()) {
            return Optional.empty();
          }
          RawEntry entry;
          try {
            entry = RawEntry.decode(dc);
          } catch (RuntimeException e) {
            // a damaged tail: resume after the last readable entry, so the records after it are
            // consumed (and logged) again
            LOG.error(
                "log entry {} in {} is unreadable ({}); resuming after the entry before it",
                dc.index(),
                dir,
                e.getMessage());
            unreadable.incrementAndGet();
            continue;
          }
          // only local entries so far: nothing came from Kafka yet
          return entry.offset() < 0
              ? Optional.empty()
              : Optional.of(new Position(entry.partition(), entry.offset(), dc.index()));
        }
      }
    } finally {
      tailer.close();
    }
  }

  /**
   * Whether reading after {@code index} continues the log without a gap: the entry at {@code index}
   * is still held, or ({@code index < 0}) no cycle was ever deleted.
   */
  public boolean continuesAfter(long index) {
    if (index < 0) {
      return !Files.exists(dir.resolve(TRIMMED_MARKER));
    }
    ExcerptTailer tailer = queue.createTailer();
    try {
      return tailer.moveToIndex(index);
    } finally {
      tailer.close();
    }
  }

  /** Index of the last entry ({@code -1}: none). */
  public long lastIndex() {
    long last = queue.lastIndex();
    return last < 0 ? -1 : last;
  }

  /** When cycle {@code cycle} ended (or ends), in epoch milliseconds. */
  public long cycleEndMillis(int cycle) {
    return queue.epoch() + (cycle + 1L) * queue.rollCycle().lengthInMillis();
  }

  /** Closed cycles, oldest first. */
  public List<QueueCycles.Cycle> closedCycles() {
    return QueueCycles.closed(queue);
  }

  /**
   * Deletes closed cycles. The caller guarantees a VIEW snapshot covers them; the log then no
   * longer starts at its beginning, which {@link #continuesAfter} reports from now on.
   */
  public long deleteCycles(List<QueueCycles.Cycle> cycles) throws IOException {
    if (cycles.isEmpty()) {
      return 0;
    }
    Path marker = dir.resolve(TRIMMED_MARKER);
    if (!Files.exists(marker)) {
      Files.writeString(marker, "cycles before " + cycles.get(cycles.size() - 1).nextIndex());
    }
    return QueueCycles.delete(queue, cycles);
  }

  /** Appends are refused while less than the reserve is free. */
  public DownlinkLog withReserve(DiskReserve reserve) {
    this.reserve = reserve;
    return this;
  }

  /** Entries found unreadable so far (damaged on disk); each is logged and skipped. */
  public long unreadableCount() {
    return unreadable.get();
  }

  /** Told of each entry readers skip because it arrived invalid: the relay dead-letters it. */
  public interface PoisonListener {
    void poisoned(RawEntry entry, String reason);
  }

  /**
   * Called, once per reader that meets it, with each entry that fails to decode; should be quick.
   */
  public void onPoison(PoisonListener listener) {
    this.onPoison = listener;
  }

  /**
   * Called with the index of each unreadable entry a reader skips (the relay asks for a resync).
   */
  public void onUnreadable(LongConsumer listener) {
    this.onUnreadable = listener;
  }

  /** With fsync on, forces what was appended to disk; call once per batch. */
  public synchronized void sync() {
    if (fsync && appender != null) {
      appender.sync();
    }
  }

  /** The bytes an entry for this record takes in the log, excerpt header aside. */
  public static int entryLength(String key, Headers headers, byte[] value) {
    return new EntryFormat().encode(EntryFormat.EVENT, 0, 0, utf8(key), headers, wrap(value));
  }

  /** Appends a record from the node topic as it came; returns its log index. */
  public long appendEvent(int partition, long offset, String key, Headers headers, byte[] value) {
    return appendEvent(partition, offset, utf8(key), headers, wrap(value));
  }

  /**
   * Appends a record from the node topic as the consumer received it: key (UTF-8) and value are
   * read from each buffer's position to its limit, and the buffers are left as they were. Returns
   * its log index.
   */
  public long appendEvent(
      int partition, long offset, ByteBuffer key, Headers headers, ByteBuffer value) {
    return append(EntryFormat.EVENT, partition, offset, key, headers, value);
  }

  private static ByteBuffer wrap(byte[] bytes) {
    return bytes == null ? null : ByteBuffer.wrap(bytes);
  }

  private static ByteBuffer utf8(String s) {
    return s == null ? null : ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Appends a change made on this node (an edge-owned write accepted while the cloud is away), so
   * the VIEW applies it in order with what came from Kafka; returns its log index. It repeats the
   * Kafka coordinates of the last record, so the downlink still resumes where it left off.
   */
  public synchronized long appendLocal(KedgeEvent event) {
    if (!lastKnown) {
      lastPosition()
          .ifPresent(
              p -> {
                lastPartition = p.partition();
                lastOffset = p.offset();
              });
      lastKnown = true;
    }
    RecordHeaders headers = new RecordHeaders();
    byte[] value = codec.encode(event, headers);
    long index = append(EntryFormat.LOCAL, lastPartition, lastOffset, null, headers, wrap(value));
    wakeReaders();
    return index;
  }

  private synchronized long append(
      byte kind, int partition, long offset, ByteBuffer key, Headers headers, ByteBuffer value) {
    // The downlink and the API (local writes) both append; the lock serialises them, so the
    // appender may be handed from one thread to the next.
    reserve.check("log append");
    if (appender == null) {
      appender = queue.createAppender();
      appender.singleThreadedCheckDisabled(true); // this lock serialises its users
    }
    int length = format.encode(kind, partition, offset, key, headers, value);
    try (DocumentContext dc = appender.writingDocument()) {
      dc.wire().bytes().write(format.buffer(), 0, length);
    }
    if (kind != EntryFormat.LOCAL) {
      // only once written: a local entry repeats these, and the downlink resumes after them
      lastPartition = partition;
      lastOffset = offset;
      lastKnown = true;
    }
    appends.incrementAndGet();
    return appender.lastIndexAppended();
  }

  /**
   * Wakes the readers parked in {@link #awaitAppend}; the downlink calls it once per batch it has
   * logged, not per entry: readers that keep up would otherwise cost the appender a wake-up each.
   */
  public void wakeReaders() {
    for (Thread waiter; (waiter = waiters.poll()) != null; ) {
      LockSupport.unpark(waiter);
    }
  }

  @Override
  public long appendCount() {
    return appends.get();
  }

  /**
   * Parks until {@link #wakeReaders} after an append in this process: a reader that has caught up
   * (the VIEW, the eventbus delivery) sees a batch as soon as it is written, not at its next poll.
   */
  @Override
  public void awaitAppend(long seenCount, long maxNanos) {
    Thread me = Thread.currentThread();
    waiters.add(me);
    try {
      // an append since seenCount was read may have found the waiter list empty: no park then
      if (appends.get() == seenCount) {
        LockSupport.parkNanos(this, maxNanos);
      }
    } finally {
      waiters.remove(me);
    }
  }

  private void skipUnreadable(long index, String why) {
    unreadable.incrementAndGet();
    LOG.error("log entry {} in {} is unreadable and is skipped: {}", index, dir, why);
    onUnreadable.accept(index);
  }

  /** A reader of raw entries after {@code afterIndex} ({@code -1}: from the start). */
  public RawReader readRawAfter(long afterIndex) {
    return readRawAfter(
        afterIndex,
        (index, why) -> {
          throw new IllegalStateException("log entry " + index + " is unreadable: " + why);
        });
  }

  private RawReader readRawAfter(long afterIndex, RawReader.Unreadable unreadable) {
    ExcerptTailer tailer = queue.createTailer();
    if (afterIndex >= 0) {
      if (tailer.moveToIndex(afterIndex)) {
        try (DocumentContext dc = tailer.readingDocument()) {
          // skip the entry at afterIndex itself
        }
      } else if (afterIndex >= queue.lastIndex()) {
        tailer.toEnd();
      } else {
        LOG.warn(
            "log index {} is no longer retained in {}; reading from the oldest entry",
            afterIndex,
            dir);
        tailer.toStart();
      }
    }
    return new RawReader(tailer, unreadable);
  }

  @Override
  public LogReader readAfter(long afterIndex) {
    RawReader raw = readRawAfter(afterIndex, this::skipUnreadable);
    return new LogReader() {
      @Override
      public LogEntry next() {
        RawEntry entry;
        while ((entry = raw.next()) != null) {
          if (entry.poison()) {
            continue;
          }
          try {
            return new LogEntry(entry.index(), codec.decode(entry.headers(), entry.value()));
          } catch (InvalidEventException e) {
            if (entry.local()) { // encoded here, so written by a newer version
              skipUnreadable(entry.index(), e.getMessage());
            } else {
              onPoison.poisoned(entry, e.getMessage());
            }
          }
        }
        return null;
      }

      @Override
      public void close() {
        raw.close();
      }
    };
  }

  @Override
  public synchronized void close() {
    if (appender != null) {
      appender.close();
    }
    queue.close();
  }
}
