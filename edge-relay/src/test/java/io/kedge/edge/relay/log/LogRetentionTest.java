package io.kedge.edge.relay.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.log.EntryLog;
import io.kedge.edge.api.log.LogEntry;
import io.kedge.edge.api.view.ResourceTypes;
import io.kedge.edge.api.view.View;
import io.kedge.edge.api.view.ViewSnapshots;
import io.kedge.edge.relay.uplink.UplinkLog;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.EventData;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceDelete;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.schemas.ResyncBegin;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots, cycle deletion within retention and budget, and restart from snapshot + tail. */
class LogRetentionTest {
  private static final URI SOURCE = URI.create("/kedge/test");
  private static final long HOUR = TimeUnit.HOURS.toMillis(1);

  @TempDir Path data;
  private final EventCodec codec = new EventCodec();
  private final SetTimeProvider time = new SetTimeProvider(Instant.parse("2026-11-26T00:10:00Z"));
  private DownlinkLog log;
  private UplinkLog uplink;
  private View view;
  private ViewSnapshots snapshots;
  private long offset;

  @BeforeEach
  void open() {
    log = DownlinkLog.open(data.resolve("log"), RollCycles.FAST_HOURLY, codec, false, time);
    uplink = UplinkLog.open(data.resolve("uplink"), RollCycles.FAST_HOURLY, codec);
    view = new View(ResourceTypes.builtIn(), 10_000);
    snapshots = new ViewSnapshots(data.resolve("snapshots"));
  }

  @AfterEach
  void close() {
    uplink.close();
    log.close();
  }

  private LogRetention retention(Duration retention, long budget) {
    Clock clock = Clock.fixed(Instant.ofEpochMilli(time.currentTimeMillis()), ZoneOffset.UTC);
    return new LogRetention(
        log,
        uplink,
        () -> -1,
        view,
        snapshots,
        data,
        new LogRetention.Policy(retention, budget, Duration.ofDays(1)),
        clock);
  }

  private void append(EventData data) {
    RecordHeaders headers = new RecordHeaders();
    byte[] value = codec.encode(KedgeEvent.of(SOURCE, "", data), headers);
    log.appendEvent(0, offset++, "k", headers, value);
  }

  /** Five hours of changes, one cycle each: pods created, modified and some deleted. */
  private void fiveHoursOfChanges() {
    for (int hour = 0; hour < 5; hour++) {
      for (int i = 0; i < 20; i++) {
        append(new ResourceUpsert(key("pod-" + (hour * 10 + i)), "" + offset, pod(hour * 10 + i)));
      }
      append(new ResourceDelete(key("pod-" + hour), ""));
      time.advanceMillis(HOUR);
    }
    append(new ResourceUpsert(key("pod-last"), "" + offset, pod(999)));
    catchUp(view);
  }

  private void catchUp(View target) {
    try (EntryLog.LogReader reader = log.readAfter(target.resourceVersion())) {
      for (LogEntry entry = reader.next(); entry != null; entry = reader.next()) {
        target.apply(entry);
      }
    }
  }

  @Test
  void overBudgetCyclesAreDeletedOnlyOnceASnapshotCoversThemAndARestartConverges()
      throws Exception {
    fiveHoursOfChanges();
    assertThat(log.closedCycles()).hasSize(5);
    Set<View.Stored> before = new HashSet<>(view.all());

    LogRetention.Pass pass = retention(Duration.ofDays(7), 1).pass();

    assertThat(pass.cyclesDeleted()).isEqualTo(5);
    assertThat(log.closedCycles()).isEmpty();
    assertThat(pass.snapshotIndex()).isEqualTo(view.resourceVersion());
    assertThat(pass.overBudget()).isTrue(); // the current cycle alone is over a 1-byte budget
    assertThat(log.continuesAfter(-1)).isFalse();
    assertThat(log.continuesAfter(pass.snapshotIndex())).isTrue();

    // more changes after the snapshot, then a restart: snapshot + tail = the same state
    append(new ResourceDelete(key("pod-last"), ""));
    append(new ResourceUpsert(key("pod-new"), "" + offset, pod(1000)));
    catchUp(view);
    View restarted = new View(ResourceTypes.builtIn(), 10_000);
    restarted.restore(snapshots.loadNewest().orElseThrow());
    catchUp(restarted);
    assertThat(new HashSet<>(restarted.all())).isEqualTo(new HashSet<>(view.all()));
    assertThat(restarted.resourceVersion()).isEqualTo(view.resourceVersion());
    assertThat(before).isNotEqualTo(new HashSet<>(view.all()));
  }

  @Test
  void retentionDeletesOnlyCyclesOlderThanItWithinBudget() throws Exception {
    fiveHoursOfChanges();
    // now is 05:10; cycles ended at 01:00 .. 05:00; keep the last 2.5 hours
    LogRetention.Pass pass = retention(Duration.ofMinutes(150), Long.MAX_VALUE).pass();

    assertThat(pass.cyclesDeleted()).isEqualTo(2);
    assertThat(log.closedCycles()).hasSize(3);
    assertThat(pass.overBudget()).isFalse();
    assertThat(snapshots.newestIndex()).isEqualTo(view.resourceVersion());
  }

  @Test
  void nothingIsDeletedWhileNoSnapshotCanBeTaken() throws Exception {
    fiveHoursOfChanges();
    append(new ResyncBegin("r-1")); // a resync under way: a snapshot could not finish its diff
    catchUp(view);

    LogRetention.Pass pass = retention(Duration.ofDays(7), 1).pass();

    assertThat(pass.cyclesDeleted()).isZero();
    assertThat(log.closedCycles()).hasSize(5);
    assertThat(snapshots.newestIndex()).isEqualTo(-1);
    assertThat(log.continuesAfter(-1)).isTrue();
  }

  @Test
  void aLaggingViewLimitsDeletionToTheCyclesItsSnapshotCovers() throws Exception {
    fiveHoursOfChanges();
    View lagging = new View(ResourceTypes.builtIn(), 10_000);
    try (EntryLog.LogReader reader = log.readAfter(-1)) {
      for (int i = 0; i < 30; i++) { // into the second cycle only
        lagging.apply(reader.next());
      }
    }
    view = lagging;

    LogRetention.Pass pass = retention(Duration.ofDays(7), 1).pass();

    assertThat(pass.cyclesDeleted()).isEqualTo(1);
    assertThat(log.closedCycles()).hasSize(4);
    assertThat(log.continuesAfter(pass.snapshotIndex())).isTrue();
  }

  @Test
  void aLaggingLogReaderKeepsTheCyclesItHasNotFinished() throws Exception {
    fiveHoursOfChanges();
    long secondCycleEnd = log.closedCycles().get(1).nextIndex() - 1;

    LogRetention.Pass pass =
        retention(Duration.ofDays(7), 1).keepingFor(() -> secondCycleEnd).pass();

    assertThat(pass.cyclesDeleted()).isEqualTo(2);
    assertThat(log.closedCycles()).hasSize(3);
  }

  @Test
  void closeTakesAFinalSnapshot() throws Exception {
    fiveHoursOfChanges();
    retention(Duration.ofDays(7), Long.MAX_VALUE).close();
    assertThat(snapshots.newestIndex()).isEqualTo(view.resourceVersion());
    assertThat(Files.list(data.resolve("snapshots")).toList()).hasSize(1);
  }

  private static ObjectKey key(String name) {
    return new ObjectKey("", "v1", "Pod", "default", name);
  }

  private static ObjectNode pod(int n) {
    ObjectNode pod = EventCodec.json().createObjectNode();
    pod.put("apiVersion", "v1").put("kind", "Pod");
    pod.putObject("metadata").put("name", "pod-" + n).put("namespace", "default");
    pod.putObject("spec").put("nodeName", "edge-1").put("n", n);
    return pod;
  }
}
