package io.kedge.edge.relay.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceUpsert;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records logged as they came: readers validate them, skip the invalid ones and report them. */
class DownlinkLogPoisonTest {
  @TempDir Path dir;
  private final EventCodec codec = new EventCodec();

  private record Record(RecordHeaders headers, byte[] value) {}

  private Record pod(String name) {
    RecordHeaders headers = new RecordHeaders();
    ObjectNode pod = EventCodec.json().createObjectNode();
    pod.put("apiVersion", "v1").put("kind", "Pod");
    pod.putObject("metadata").put("name", name).put("namespace", "default");
    ObjectKey key = ObjectKey.of(pod);
    byte[] value =
        codec.encode(
            KedgeEvent.of(URI.create("/t"), "", new ResourceUpsert(key, "1", pod)), headers);
    return new Record(headers, value);
  }

  private static Record unknownVersion() {
    Record valid = new DownlinkLogPoisonTest().pod("bad");
    valid.headers().remove("ce_type");
    valid.headers().add("ce_type", "io.kedge.resource.upsert.v9".getBytes(StandardCharsets.UTF_8));
    return valid;
  }

  @Test
  void anInvalidRecordIsKeptSkippedByEveryReaderAndReportedWithItsCoordinates() {
    try (DownlinkLog log = DownlinkLog.open(dir.resolve("log"), RollCycles.FAST_DAILY, codec)) {
      Record first = pod("first");
      Record bad = unknownVersion();
      Record last = pod("last");
      log.appendEvent(0, 10, "k-first", first.headers(), first.value());
      long badIndex = log.appendEvent(0, 11, "k-bad", bad.headers(), bad.value());
      log.appendEvent(0, 12, "k-last", last.headers(), last.value());
      List<RawEntry> reported = new ArrayList<>();
      List<String> reasons = new ArrayList<>();
      log.onPoison(
          (entry, reason) -> {
            reported.add(entry);
            reasons.add(reason);
          });

      assertThat(LogFiles.podNames(log)).containsExactly("first", "last");
      assertThat(LogFiles.podNames(log)).containsExactly("first", "last");

      assertThat(reported).hasSize(2); // once per reader: PoisonRecords keeps the first
      RawEntry entry = reported.get(0);
      assertThat(entry.index()).isEqualTo(badIndex);
      assertThat(entry.offset()).isEqualTo(11);
      assertThat(entry.key()).isEqualTo("k-bad");
      assertThat(entry.value()).isEqualTo(bad.value());
      assertThat(reasons.get(0)).contains("v9");
      assertThat(log.unreadableCount()).isZero();
      assertThat(log.lastPosition().orElseThrow().offset()).isEqualTo(12);
    }
  }

  /** The layout before checksums: kind, coordinates, stop-bit counted headers and value, reason. */
  private static void writeFormat1(
      ExcerptAppender appender, byte kind, long offset, Record record, String reason) {
    try (DocumentContext dc = appender.writingDocument()) {
      Bytes<?> bytes = dc.wire().bytes();
      bytes.writeByte((byte) 1);
      bytes.writeByte(kind);
      bytes.writeInt(0);
      bytes.writeLong(offset);
      Header[] all = record.headers().toArray();
      bytes.writeStopBit(all.length);
      for (Header header : all) {
        bytes.writeUtf8(header.key());
        bytes.writeStopBit(header.value().length);
        bytes.write(header.value());
      }
      bytes.writeStopBit(record.value().length);
      bytes.write(record.value());
      bytes.writeUtf8(reason);
    }
  }

  /** A log as an earlier kedge wrote it: {@code writes} append its entries. */
  private Path earlierLog(Consumer<ExcerptAppender> writes) {
    Path logDir = dir.resolve("log");
    try (SingleChronicleQueue queue =
            SingleChronicleQueueBuilder.binary(logDir).rollCycle(RollCycles.FAST_DAILY).build();
        ExcerptAppender appender = queue.createAppender()) {
      writes.accept(appender);
    }
    return logDir;
  }

  /** Opens the log, checks where it resumes, appends a new pod; returns what readers report. */
  private List<RawEntry> continued(DownlinkLog log, long lastOffset) {
    assertThat(log.lastPosition().orElseThrow().offset()).isEqualTo(lastOffset);
    Record next = pod("new");
    log.appendEvent(0, lastOffset + 1, "k-new", next.headers(), next.value());
    List<RawEntry> reported = new ArrayList<>();
    log.onPoison((entry, reason) -> reported.add(entry));
    return reported;
  }

  @Test
  void aLogWrittenBeforeChecksumsIsStillReadAndContinued() {
    Path logDir =
        earlierLog(
            appender -> {
              writeFormat1(appender, (byte) 1, 5, pod("old"), "");
              writeFormat1(appender, (byte) 2, 6, unknownVersion(), "unknown version"); // POISON
            });
    try (DownlinkLog log = DownlinkLog.open(logDir, RollCycles.FAST_DAILY, codec)) {
      List<RawEntry> reported = continued(log, 6);

      assertThat(LogFiles.podNames(log)).containsExactly("old", "new");
      assertThat(reported).isEmpty(); // format 1 poison was reported when it was logged
      assertThat(log.unreadableCount()).isZero();
    }
  }

  /** Format 2: fixed-width coordinates, checksum, i32 lengths (-1: null), an empty reason. */
  private static void writeFormat2(
      ExcerptAppender appender, long offset, String key, Record record) {
    ByteBuffer out = ByteBuffer.allocate(8192).order(ByteOrder.LITTLE_ENDIAN);
    out.put((byte) 2).put((byte) 1).putInt(0).putLong(offset).putInt(0);
    byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
    out.putInt(keyBytes.length).put(keyBytes);
    Header[] all = record.headers().toArray();
    out.putInt(all.length);
    for (Header header : all) {
      byte[] name = header.key().getBytes(StandardCharsets.UTF_8);
      out.putInt(name.length).put(name).putInt(header.value().length).put(header.value());
    }
    out.putInt(record.value().length).put(record.value()).putInt(0);
    CRC32C crc = new CRC32C();
    crc.update(out.array(), 18, out.position() - 18);
    out.putInt(14, (int) crc.getValue());
    try (DocumentContext dc = appender.writingDocument()) {
      dc.wire().bytes().write(out.array(), 0, out.position());
    }
  }

  @Test
  void aLogWrittenInFormat2IsStillReadAndContinuedInFormat3() {
    Path logDir =
        earlierLog(
            appender -> {
              writeFormat2(appender, 8, "k-old", pod("old"));
              writeFormat2(appender, 9, "k-bad", unknownVersion());
            });
    try (DownlinkLog log = DownlinkLog.open(logDir, RollCycles.FAST_DAILY, codec)) {
      List<RawEntry> reported = continued(log, 9);

      assertThat(LogFiles.podNames(log)).containsExactly("old", "new");
      assertThat(reported).extracting(RawEntry::key).containsExactly("k-bad");
      assertThat(log.unreadableCount()).isZero();
      assertThat(log.lastPosition().orElseThrow().offset()).isEqualTo(10);
    }
  }
}
