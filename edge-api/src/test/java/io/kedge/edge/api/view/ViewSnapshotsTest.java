package io.kedge.edge.api.view;

import static io.kedge.edge.api.view.TestObjects.delete;
import static io.kedge.edge.api.view.TestObjects.pod;
import static io.kedge.edge.api.view.TestObjects.upsert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kedge.edge.api.log.LogEntry;
import io.kedge.edge.api.log.MemoryLog;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ResyncBegin;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ViewSnapshotsTest {
  @TempDir Path dir;
  private final MemoryLog log = new MemoryLog(10, 3);
  private final View view = new View(ResourceTypes.builtIn(), 1000);

  private long append(KedgeEvent event) {
    long index = log.append(event);
    view.apply(new LogEntry(index, event));
    return index;
  }

  private void fill() {
    append(upsert(TestObjects.widgetCrd(), "5"));
    for (int i = 0; i < 50; i++) {
      append(upsert(pod("ns-" + (i % 3), "pod-" + i, "edge-1", "Running", "app", "a" + i), "" + i));
    }
    append(delete(pod("ns-1", "pod-1", "edge-1", "Running")));
    append(upsert(pod("ns-0", "pod-0", "edge-1", "Succeeded"), "99"));
  }

  @Test
  void restoredViewHoldsTheSameObjectsVersionsAndServedTypes() {
    fill();
    ViewSnapshots snapshots = new ViewSnapshots(dir);
    snapshots.write(view.checkpoint().orElseThrow());

    ResourceTypes types = ResourceTypes.builtIn();
    View restored = new View(types, 1000);
    restored.restore(snapshots.loadNewest().orElseThrow());

    assertThat(restored.resourceVersion()).isEqualTo(view.resourceVersion());
    assertThat(restored.size()).isEqualTo(view.size()).isEqualTo(50);
    for (View.Stored original : view.all()) {
      assertThat(restored.all()).contains(original);
    }
    assertThat(types.byResource("example.com", "v1", "widgets")).isPresent();
    assertThat(snapshots.newestIndex()).isEqualTo(view.resourceVersion());
  }

  @Test
  void replayAfterRestoreSkipsWhatTheSnapshotCoversAndWatchesStartAtIt() {
    fill();
    long taken = view.resourceVersion();
    ViewSnapshots snapshots = new ViewSnapshots(dir);
    snapshots.write(view.checkpoint().orElseThrow());
    long later = append(upsert(pod("ns-2", "late", "edge-1", "Pending"), "100"));

    View restored = new View(ResourceTypes.builtIn(), 1000);
    restored.restore(snapshots.loadNewest().orElseThrow());
    ViewTest.Collector watch = new ViewTest.Collector(100);
    ResourceType pods = restored.types().byResource("", "v1", "pods").orElseThrow();
    restored.watch(WatchFilter.all(pods), taken, false, false, watch);
    try (var reader = log.readAfter(-1)) {
      for (LogEntry entry = reader.next(); entry != null; entry = reader.next()) {
        restored.apply(entry); // the whole log: entries the snapshot covers are skipped
      }
    }
    assertThat(watch.events).hasSize(1);
    assertThat(watch.events.get(0).resourceVersion()).isEqualTo(later);
    assertThat(restored.size()).isEqualTo(51);
    assertThatThrownBy(
            () ->
                restored.watch(
                    WatchFilter.all(pods), taken - 1, false, false, new ViewTest.Collector(10)))
        .isInstanceOf(ExpiredException.class);
  }

  @Test
  void aDamagedOrTruncatedNewestSnapshotFallsBackToThePreviousOne() throws IOException {
    ViewSnapshots snapshots = new ViewSnapshots(dir);
    fill();
    long first = view.resourceVersion();
    snapshots.write(view.checkpoint().orElseThrow());
    append(upsert(pod("ns-2", "late", "edge-1", "Pending"), "100"));
    Path newest = snapshots.write(view.checkpoint().orElseThrow());

    try (FileChannel file = FileChannel.open(newest, StandardOpenOption.WRITE)) {
      file.truncate(file.size() / 2);
    }
    assertThatThrownBy(() -> ViewSnapshots.read(newest)).isInstanceOf(IOException.class);
    assertThat(snapshots.loadNewest().orElseThrow().index()).isEqualTo(first);

    byte[] bytes = Files.readAllBytes(newest);
    Files.write(newest, new byte[] {1, 2, 3});
    assertThat(snapshots.loadNewest().orElseThrow().index()).isEqualTo(first);
    assertThat(bytes).isNotEmpty();
  }

  @Test
  void keepsOnlyTheNewestSnapshots() {
    ViewSnapshots snapshots = new ViewSnapshots(dir, 2);
    for (int i = 0; i < 4; i++) {
      append(upsert(pod("ns", "p" + i, "edge-1", "Running"), "" + i));
      snapshots.write(view.checkpoint().orElseThrow());
    }
    assertThat(snapshots.list()).hasSize(2);
    assertThat(snapshots.newestIndex()).isEqualTo(view.resourceVersion());
    assertThat(snapshots.bytes()).isPositive();
  }

  @Test
  void noCheckpointWhileAResyncIsUnderWayOrBeforeAnyEntry() {
    assertThat(view.checkpoint()).isEmpty();
    append(upsert(pod("ns", "p", "edge-1", "Running"), "1"));
    assertThat(view.checkpoint()).isPresent();
    append(KedgeEvent.of(URI.create("/t"), "", new ResyncBegin("r1")));
    assertThat(view.checkpoint()).isEmpty();
  }

  @Test
  void restoreRefusesAViewThatAlreadyHoldsState() {
    append(upsert(pod("ns", "p", "edge-1", "Running"), "1"));
    View.Checkpoint checkpoint = view.checkpoint().orElseThrow();
    assertThatThrownBy(() -> view.restore(checkpoint))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("empty view");
    assertThat(List.of(checkpoint)).hasSize(1);
  }
}
