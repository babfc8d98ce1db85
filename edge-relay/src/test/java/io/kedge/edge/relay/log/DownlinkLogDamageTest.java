package io.kedge.edge.relay.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.log.EntryLog;
import io.kedge.edge.api.log.LogEntry;
import io.kedge.edge.relay.uplink.UplinkLog;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceUpsert;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged entries on disk and a full disk: defined, visible behaviour, no crash. */
class DownlinkLogDamageTest {
  @TempDir Path dir;
  private final EventCodec codec = new EventCodec();

  private void write(DownlinkLog log, int count) {
    for (int i = 0; i < count; i++) {
      RecordHeaders headers = new RecordHeaders();
      ObjectNode pod = EventCodec.json().createObjectNode();
      pod.put("apiVersion", "v1").put("kind", "Pod");
      pod.putObject("metadata").put("name", "pod-" + i + "-marker").put("namespace", "default");
      ObjectKey key = new ObjectKey("", "v1", "Pod", "default", "pod-" + i + "-marker");
      byte[] value =
          codec.encode(
              KedgeEvent.of(URI.create("/t"), "", new ResourceUpsert(key, "" + i, pod)), headers);
      log.appendEvent(0, 100 + i, key.toString(), headers, value);
    }
  }

  @Test
  void aDamagedEntryIsSkippedCountedAndReported() throws Exception {
    Path logDir = dir.resolve("log");
    try (DownlinkLog log = DownlinkLog.open(logDir, RollCycles.FAST_DAILY, codec)) {
      write(log, 3);
    }
    assertThat(LogFiles.overwrite(logDir, "pod-1-marker")).isPositive();

    try (DownlinkLog log = DownlinkLog.open(logDir, RollCycles.FAST_DAILY, codec)) {
      List<Long> reported = new ArrayList<>();
      log.onUnreadable(reported::add);
      List<String> names = new ArrayList<>();
      try (EntryLog.LogReader reader = log.readAfter(-1)) {
        for (LogEntry entry = reader.next(); entry != null; entry = reader.next()) {
          names.add(((ResourceUpsert) entry.event().data()).key().name());
        }
      }
      assertThat(names).containsExactly("pod-0-marker", "pod-2-marker");
      assertThat(log.unreadableCount()).isEqualTo(1);
      assertThat(reported).hasSize(1);
      assertThat(log.lastPosition().orElseThrow().offset()).isEqualTo(102);
    }
  }

  @Test
  void aTruncatedQueueFileLosesOnlyTheCutEntryWhichIsReportedAndAppendsGoOn() throws Exception {
    Path logDir = dir.resolve("log");
    try (DownlinkLog log = DownlinkLog.open(logDir, RollCycles.FAST_DAILY, codec)) {
      write(log, 5);
    }
    Path file = LogFiles.queueFiles(logDir).get(0);
    long cut = LogFiles.lastOffsetOf(file, "pod-4-marker");
    try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(cut); // the file ends in the middle of the last entry
    }

    try (DownlinkLog log = DownlinkLog.open(logDir, RollCycles.FAST_DAILY, codec)) {
      List<Long> reported = new ArrayList<>();
      log.onUnreadable(reported::add);
      assertThat(LogFiles.podNames(log))
          .containsExactly("pod-0-marker", "pod-1-marker", "pod-2-marker", "pod-3-marker");
      assertThat(reported).hasSize(1);
      write(log, 1); // the log takes new entries after the damaged one
      assertThat(LogFiles.podNames(log)).hasSize(5).endsWith("pod-0-marker");
    }
  }

  @Test
  void aDamagedLastEntryMakesTheDownlinkResumeAfterTheEntryBeforeIt() throws Exception {
    Path logDir = dir.resolve("log");
    long lastIndex;
    try (DownlinkLog log = DownlinkLog.open(logDir, RollCycles.FAST_DAILY, codec)) {
      write(log, 3);
      lastIndex = log.lastIndex();
    }
    long payloadAt;
    try (SingleChronicleQueue queue =
        SingleChronicleQueueBuilder.binary(logDir).rollCycle(RollCycles.FAST_DAILY).build()) {
      ExcerptTailer tailer = queue.createTailer();
      assertThat(tailer.moveToIndex(lastIndex)).isTrue();
      try (DocumentContext dc = tailer.readingDocument()) {
        payloadAt = dc.wire().bytes().readPosition();
      }
    }
    LogFiles.overwriteByte(LogFiles.queueFiles(logDir).get(0), payloadAt, 0x7f); // format byte

    try (DownlinkLog log = DownlinkLog.open(logDir, RollCycles.FAST_DAILY, codec)) {
      assertThat(log.lastPosition().orElseThrow().offset()).isEqualTo(101);
      assertThat(log.unreadableCount()).isEqualTo(1);
      // inspection tools are told, not silently skipped
      try (RawReader raw = log.readRawAfter(-1)) {
        raw.next();
        raw.next();
        assertThatThrownBy(raw::next).hasMessageContaining("unreadable");
      }
    }
  }

  @Test
  void appendsAreRefusedWithAClearErrorWhileTheDiskReserveIsReached() {
    AtomicLong free = new AtomicLong(10L << 20);
    DiskReserve reserve = new DiskReserve(dir, 64L << 20, free::get);
    try (DownlinkLog log =
            DownlinkLog.open(dir.resolve("log"), RollCycles.FAST_DAILY, codec)
                .withReserve(reserve);
        UplinkLog uplink =
            UplinkLog.open(dir.resolve("uplink"), RollCycles.FAST_DAILY, codec)
                .withReserve(reserve)) {
      assertThatThrownBy(() -> write(log, 1))
          .isInstanceOf(DiskReserve.DiskFullException.class)
          .hasMessageContaining("log append refused")
          .hasMessageContaining("10 MiB free")
          .hasMessageContaining("log.min-free-disk (64 MiB)")
          .hasMessageContaining(dir.toString());
      assertThatThrownBy(
              () ->
                  uplink.append(
                      new io.kedge.schemas.ResyncRequest("edge-1", "r", "test"), "subject"))
          .isInstanceOf(DiskReserve.DiskFullException.class)
          .hasMessageContaining("uplink append refused");
      assertThat(log.lastIndex()).isEqualTo(-1);
      assertThat(uplink.lastIndex()).isLessThan(0);
    }
  }

  @Test
  void aRecordThatFailsToBeWrittenDoesNotMoveThePositionLocalEntriesRepeat() {
    try (DownlinkLog log = DownlinkLog.open(dir.resolve("log"), RollCycles.FAST_DAILY, codec)) {
      write(log, 1); // offset 100
      RecordHeaders unreadable =
          new RecordHeaders() {
            @Override
            public Iterator<Header> iterator() {
              throw new IllegalStateException("header buffer gone");
            }
          };
      assertThatThrownBy(() -> log.appendEvent(0, 101, "k", unreadable, new byte[] {1}))
          .hasMessageContaining("header buffer gone");

      ObjectNode pod = EventCodec.json().createObjectNode();
      pod.put("apiVersion", "v1").put("kind", "Pod");
      pod.putObject("metadata").put("name", "local").put("namespace", "default");
      log.appendLocal(
          KedgeEvent.of(URI.create("/t"), "", new ResourceUpsert(ObjectKey.of(pod), "1", pod)));

      // the downlink resumes at 101: the record that failed is consumed again, not skipped
      assertThat(log.lastPosition().orElseThrow().offset()).isEqualTo(100);
    }
  }
}
