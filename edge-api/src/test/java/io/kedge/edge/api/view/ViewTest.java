package io.kedge.edge.api.view;

import static io.kedge.edge.api.view.TestObjects.delete;
import static io.kedge.edge.api.view.TestObjects.pod;
import static io.kedge.edge.api.view.TestObjects.upsert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.log.LogEntry;
import io.kedge.edge.api.log.MemoryLog;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ResyncBegin;
import io.kedge.schemas.ResyncEnd;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ViewTest {
  private final ResourceTypes types = ResourceTypes.builtIn();
  private final ResourceType pods = types.byResource("", "v1", "pods").orElseThrow();
  private final View view = new View(types, 1000);
  private final MemoryLog log = new MemoryLog(100, 7);

  private long append(KedgeEvent event) {
    long index = log.append(event);
    view.apply(new LogEntry(index, event));
    return index;
  }

  /** Collects events; can be made to refuse after a number of events to play a slow client. */
  static final class Collector implements WatchSink {
    final List<WatchEvent> events = new ArrayList<>();
    final int capacity;
    String closedReason;

    Collector(int capacity) {
      this.capacity = capacity;
    }

    @Override
    public boolean offer(WatchEvent event) {
      if (events.size() >= capacity) {
        return false;
      }
      events.add(event);
      return true;
    }

    @Override
    public void closed(String reason) {
      closedReason = reason;
    }
  }

  @Test
  void resourceVersionIsTheLogIndexOfTheEntryThatProducedIt() {
    long first = append(upsert(pod("default", "a", "edge-1", "Pending"), "1"));
    long second = append(upsert(pod("default", "a", "edge-1", "Running"), "2"));

    View.Stored stored = view.get(pods, "default", "a").orElseThrow();
    assertThat(stored.resourceVersion()).isEqualTo(second).isGreaterThan(first);
    assertThat(stored.object().path("metadata").path("resourceVersion").asText())
        .isEqualTo(Long.toString(second));
    assertThat(stored.cloudResourceVersion()).isEqualTo("2");
    assertThat(view.resourceVersion()).isEqualTo(second);
  }

  @Test
  void readersGetTheirOwnCopyOfAStoredObject() {
    append(upsert(pod("default", "a", "edge-1", "Pending"), "1"));

    View.Stored stored = view.get(pods, "default", "a").orElseThrow();
    stored.object().withObject("status").put("phase", "Changed by a reader");
    view.list(WatchFilter.all(pods)).items().get(0).put("kind", "Changed by a reader");

    ObjectNode held = view.get(pods, "default", "a").orElseThrow().object();
    assertThat(held.path("status").path("phase").asText()).isEqualTo("Pending");
    assertThat(held.path("kind").asText()).isEqualTo("Pod");
  }

  @Test
  void listFiltersByNamespaceLabelsAndFields() {
    append(upsert(pod("default", "a", "edge-1", "Running", "app", "web"), "1"));
    append(upsert(pod("default", "b", "edge-1", "Pending", "app", "db"), "2"));
    append(upsert(pod("other", "c", "edge-1", "Running", "app", "web"), "3"));

    assertThat(
            names(
                view.list(new WatchFilter(pods, "default", LabelSelector.everything(), o -> true))))
        .containsExactly("a", "b");
    assertThat(
            names(
                view.list(
                    new WatchFilter(pods, "", LabelSelector.parse("app in (web)"), o -> true))))
        .containsExactly("a", "c");
    assertThat(
            names(
                view.list(
                    new WatchFilter(
                        pods,
                        "",
                        LabelSelector.parse("app!=web"),
                        FieldSelector.parse("status.phase=Pending", "Pod")))))
        .containsExactly("b");
    assertThat(names(view.list(new WatchFilter(pods, "", LabelSelector.parse("!app"), o -> true))))
        .isEmpty();
  }

  @Test
  void watchResumesFromAnyRetainedVersionAndExpiresOlderOnes() {
    View small = new View(types, 2);
    List<Long> indexes = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      KedgeEvent event = upsert(pod("default", "p" + i, "edge-1", "Running"), Integer.toString(i));
      long index = log.append(event);
      small.apply(new LogEntry(index, event));
      indexes.add(index);
    }
    Collector fromSecondLast = new Collector(100);
    small.watch(WatchFilter.all(pods), indexes.get(2), false, false, fromSecondLast);
    assertThat(fromSecondLast.events)
        .extracting(WatchEvent::resourceVersion)
        .containsExactly(indexes.get(3));

    assertThatThrownBy(
            () ->
                small.watch(
                    WatchFilter.all(pods), indexes.get(0), false, false, new Collector(100)))
        .isInstanceOf(ExpiredException.class)
        .hasMessageContaining("too old resource version");
  }

  @Test
  void watchSeesEveryLaterChangeOnceIncludingDeletesWithTheLastObject() {
    long start = append(upsert(pod("default", "a", "edge-1", "Running"), "1"));
    Collector watcher = new Collector(100);
    view.watch(WatchFilter.all(pods), start, false, false, watcher);

    append(upsert(pod("default", "a", "edge-1", "Succeeded"), "2"));
    long deleted = append(delete(pod("default", "a", "edge-1", "Succeeded")));

    assertThat(watcher.events)
        .extracting(WatchEvent::kind)
        .containsExactly(WatchEvent.Kind.MODIFIED, WatchEvent.Kind.DELETED);
    WatchEvent last = watcher.events.get(1);
    assertThat(last.resourceVersion()).isEqualTo(deleted);
    assertThat(last.object().path("status").path("phase").asText()).isEqualTo("Succeeded");
  }

  @Test
  void resyncOnlyEmitsRealChangesAndDeletesWhatTheSnapshotLacks() {
    append(upsert(pod("default", "same", "edge-1", "Running"), "1"));
    append(upsert(pod("default", "changed", "edge-1", "Pending"), "2"));
    long start = append(upsert(pod("default", "gone", "edge-1", "Running"), "3"));
    Collector watcher = new Collector(100);
    view.watch(WatchFilter.all(pods), start, false, false, watcher);

    URI source = URI.create("/kedge/cloud/router");
    append(KedgeEvent.of(source, "", new ResyncBegin("r1")));
    append(upsert(pod("default", "same", "edge-1", "Running"), "1"));
    append(upsert(pod("default", "changed", "edge-1", "Running"), "4"));
    append(upsert(pod("default", "new", "edge-1", "Running"), "5"));
    append(KedgeEvent.of(source, "", new ResyncEnd("r1", 3)));

    assertThat(watcher.events)
        .extracting(e -> e.kind() + " " + e.object().path("metadata").path("name").asText())
        .containsExactly("MODIFIED changed", "ADDED new", "DELETED gone");
    assertThat(names(view.list(WatchFilter.all(pods)))).containsExactly("changed", "new", "same");
  }

  @Test
  void aSnapshotInPartsDeletesOnlyOnceEveryPartHasEnded() {
    append(upsert(pod("a", "kept", "edge-1", "Running"), "1"));
    append(upsert(pod("b", "gone", "edge-1", "Running"), "2"));
    long start = append(upsert(pod("c", "moved-on", "edge-1", "Pending"), "3"));
    Collector watcher = new Collector(100);
    view.watch(WatchFilter.all(pods), start, false, false, watcher);

    // two partitions answer, interleaved; part 1 routes a live change after its end
    URI source = URI.create("/kedge/cloud/router");
    append(KedgeEvent.of(source, "", new ResyncBegin("r1", 1, 2)));
    append(upsert(pod("c", "moved-on", "edge-1", "Running"), "4"));
    append(KedgeEvent.of(source, "", new ResyncBegin("r1", 0, 2)));
    append(upsert(pod("a", "kept", "edge-1", "Running"), "1"));
    append(KedgeEvent.of(source, "", new ResyncEnd("r1", 1, 1, 2)));
    append(upsert(pod("c", "live", "edge-1", "Running"), "5"));
    assertThat(names(view.list(WatchFilter.all(pods))))
        .as("nothing is deleted while a part is missing")
        .contains("gone");
    append(KedgeEvent.of(source, "", new ResyncEnd("r1", 1, 0, 2)));

    assertThat(watcher.events)
        .extracting(e -> e.kind() + " " + e.object().path("metadata").path("name").asText())
        .containsExactly("MODIFIED moved-on", "ADDED live", "DELETED gone");
    assertThat(names(view.list(WatchFilter.all(pods)))).containsExactly("kept", "live", "moved-on");
  }

  @Test
  void slowWatcherIsDroppedWithoutAffectingOthers() {
    Collector slow = new Collector(1);
    Collector healthy = new Collector(100);
    view.watch(WatchFilter.all(pods), view.resourceVersion(), false, false, slow);
    view.watch(WatchFilter.all(pods), view.resourceVersion(), false, false, healthy);

    for (int i = 0; i < 5; i++) {
      append(upsert(pod("default", "p" + i, "edge-1", "Running"), Integer.toString(i)));
    }

    assertThat(slow.closedReason).contains("too slowly");
    assertThat(healthy.events).hasSize(5);
    assertThat(view.watchCount()).isEqualTo(1);
  }

  @Test
  void initialEventsEndWithABookmark() {
    append(upsert(pod("default", "a", "edge-1", "Running"), "1"));
    Collector watcher = new Collector(100);
    view.watch(WatchFilter.all(pods), -1, true, true, watcher);
    assertThat(watcher.events)
        .extracting(WatchEvent::kind)
        .containsExactly(WatchEvent.Kind.ADDED, WatchEvent.Kind.BOOKMARK);
    assertThat(watcher.events.get(1).resourceVersion()).isEqualTo(view.resourceVersion());
  }

  @Test
  void crdObjectsBecomeServedTypes() {
    var crd = TestObjects.widgetCrd();
    append(upsert(crd, "1"));
    assertThat(types.byResource("example.com", "v1", "widgets")).isPresent();
  }

  private static List<String> names(View.Snapshot snapshot) {
    return snapshot.items().stream().map(o -> o.path("metadata").path("name").asText()).toList();
  }

  @Test
  void aWatchWithSelectorsSeesObjectsEnterAndLeaveItsSelection() {
    append(upsert(pod("default", "a", "edge-1", "Running", "app", "web"), "1"));
    WatchFilter web = new WatchFilter(pods, "", LabelSelector.parse("app=web"), o -> true);
    WatchFilter onEdge1 =
        new WatchFilter(
            pods,
            "",
            LabelSelector.everything(),
            FieldSelector.parse("spec.nodeName=edge-1", "Pod"));
    Collector labels = new Collector(100);
    Collector fields = new Collector(100);
    long start = view.resourceVersion();
    view.watch(web, start, false, false, labels);
    view.watch(onEdge1, start, false, false, fields);

    long relabelled = append(upsert(pod("default", "a", "edge-1", "Running", "app", "db"), "2"));
    long back = append(upsert(pod("default", "a", "edge-1", "Pending", "app", "web"), "3"));
    long within = append(upsert(pod("default", "a", "edge-1", "Running", "app", "web"), "4"));
    long moved = append(upsert(pod("default", "a", "edge-2", "Running", "app", "web"), "5"));

    assertThat(labels.events)
        .extracting(WatchEvent::kind, WatchEvent::resourceVersion)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(WatchEvent.Kind.DELETED, relabelled),
            org.assertj.core.groups.Tuple.tuple(WatchEvent.Kind.ADDED, back),
            org.assertj.core.groups.Tuple.tuple(WatchEvent.Kind.MODIFIED, within),
            org.assertj.core.groups.Tuple.tuple(WatchEvent.Kind.MODIFIED, moved));
    WatchEvent left = labels.events.get(0);
    assertThat(left.object().at("/metadata/labels/app").asText())
        .as("a DELETED for leaving the selection carries the last state that matched")
        .isEqualTo("web");
    assertThat(left.object().at("/metadata/resourceVersion").asText())
        .isEqualTo(Long.toString(relabelled));
    assertThat(fields.events)
        .extracting(WatchEvent::kind)
        .containsExactly(
            WatchEvent.Kind.MODIFIED,
            WatchEvent.Kind.MODIFIED,
            WatchEvent.Kind.MODIFIED,
            WatchEvent.Kind.DELETED);
    assertThat(fields.events.get(3).object().at("/spec/nodeName").asText()).isEqualTo("edge-1");

    Collector replayed = new Collector(100);
    view.watch(web, start, false, false, replayed);
    assertThat(replayed.events)
        .as("resuming from history sees the same transitions")
        .extracting(WatchEvent::kind)
        .containsExactly(
            WatchEvent.Kind.DELETED,
            WatchEvent.Kind.ADDED,
            WatchEvent.Kind.MODIFIED,
            WatchEvent.Kind.MODIFIED);
  }
}
