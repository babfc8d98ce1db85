package io.kedge.edge.api.view;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.log.LogEntry;
import io.kedge.schemas.EventData;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceDelete;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.schemas.ResyncBegin;
import io.kedge.schemas.ResyncEnd;
import io.kedge.schemas.ResyncParts;
import io.kedge.schemas.WriteResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's state, materialized from its log. Objects are indexed by kind, namespace and name;
 * each served object's {@code metadata.resourceVersion} is the log index of the entry that produced
 * that version, so versions only grow and survive restarts. A bounded history of recent changes
 * lets watches resume from any resourceVersion it still covers.
 *
 * <p>One thread applies entries; any number read. Applying an entry and registering a watch exclude
 * each other, so a watch sees every change after its starting version exactly once.
 */
public final class View {
  private static final Logger LOG = LoggerFactory.getLogger(View.class);

  /** A stored object: the JSON served (with the edge resourceVersion) and the cloud's version. */
  public record Stored(
      ObjectKey key, byte[] json, long resourceVersion, String cloudResourceVersion) {
    public Stored(
        ObjectKey key, ObjectNode object, long resourceVersion, String cloudResourceVersion) {
      this(key, JsonBytes.of(object), resourceVersion, cloudResourceVersion);
    }

    /** The object, parsed anew: the caller may modify it. {@link #json()} must not be. */
    public ObjectNode object() {
      return JsonBytes.parse(json);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Stored that
          && key.equals(that.key)
          && java.util.Arrays.equals(json, that.json)
          && resourceVersion == that.resourceVersion
          && cloudResourceVersion.equals(that.cloudResourceVersion);
    }

    @Override
    public int hashCode() {
      return Objects.hash(key, java.util.Arrays.hashCode(json), resourceVersion);
    }

    @Override
    public String toString() {
      return "Stored[" + key + " at " + resourceVersion + ": " + object() + "]";
    }
  }

  private record Registration(WatchFilter filter, WatchSink sink, boolean bookmarks) {}

  private final ResourceTypes types;
  private final int historyLimit;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<String, NavigableMap<String, Stored>> byType = new HashMap<>();
  private final ArrayDeque<WatchEvent> history = new ArrayDeque<>();
  private final List<Registration> watches = new CopyOnWriteArrayList<>();
  private long appliedIndex = -1;
  private long historyFloor = -1;
  private String resyncId;
  private Set<String> resyncSeen;
  private ResyncParts resyncParts;
  private volatile Consumer<WriteResponse> writeResponses = response -> {};

  /**
   * @param historyLimit how many recent changes to keep for resuming watches; a watch from an older
   *     version gets 410 Expired
   */
  public View(ResourceTypes types, int historyLimit) {
    this.types = types;
    this.historyLimit = historyLimit;
  }

  /**
   * Where answers to this node's write requests go as the log delivers them (they are not state).
   * Called on the applier thread, so it must not block.
   */
  public void onWriteResponse(Consumer<WriteResponse> listener) {
    this.writeResponses = Objects.requireNonNull(listener, "listener");
  }

  public ResourceTypes types() {
    return types;
  }

  static String typeKey(String group, String kind) {
    return group + "/" + kind;
  }

  private static String nameKey(ObjectKey key) {
    return key.namespace() + "/" + key.name();
  }

  /** Applies one log entry. Entries must come in log order; each is applied once. */
  public void apply(LogEntry entry) {
    lock.writeLock().lock();
    try {
      if (entry.index() <= appliedIndex) {
        return; // already applied (e.g. replay after a snapshot)
      }
      EventData data = entry.event().data();
      if (data instanceof ResourceUpsert upsert) {
        upsert(upsert, entry.index());
      } else if (data instanceof ResourceDelete delete) {
        delete(delete.key(), entry.index());
      } else if (data instanceof ResyncBegin begin) {
        if (resyncSeen == null || !begin.requestId().equals(resyncId)) {
          // a partitioned cloud's parts interleave: the first part's begin opens the snapshot
          resyncId = begin.requestId();
          resyncSeen = new HashSet<>();
          resyncParts = new ResyncParts(resyncId);
          LOG.info("resync {} begins at log index {}", resyncId, entry.index());
        }
      } else if (data instanceof ResyncEnd end) {
        finishResync(end, entry.index());
      } else if (data instanceof WriteResponse response) {
        writeResponses.accept(response);
      }
      appliedIndex = entry.index();
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void upsert(ResourceUpsert upsert, long index) {
    ObjectKey key = upsert.key();
    String typeKey = typeKey(key.group(), key.kind());
    if (resyncSeen != null) {
      resyncSeen.add(typeKey + "|" + nameKey(key));
    }
    NavigableMap<String, Stored> objects = byType.computeIfAbsent(typeKey, k -> new TreeMap<>());
    Stored previous = objects.get(nameKey(key));
    if (previous != null && unchanged(previous, upsert)) {
      if (!upsert.cloudResourceVersion().equals(previous.cloudResourceVersion())) {
        // the cloud confirmed a change made here first: remember its version, no new event
        objects.put(
            nameKey(key),
            new Stored(
                key, previous.json(), previous.resourceVersion(), upsert.cloudResourceVersion()));
      }
      return; // a resync re-sent what we hold: not a change, no event
    }
    ObjectNode served = upsert.object().deepCopy();
    served.withObject("metadata").put("resourceVersion", Long.toString(index));
    Stored stored = new Stored(key, served, index, upsert.cloudResourceVersion());
    objects.put(nameKey(key), stored);
    if (isCrd(key)) {
      types.addCrd(served);
    }
    publish(
        new WatchEvent(
            previous == null ? WatchEvent.Kind.ADDED : WatchEvent.Kind.MODIFIED,
            typeKey,
            key,
            stored.json(),
            index,
            previous == null ? null : previous.json()));
  }

  private static boolean unchanged(Stored previous, ResourceUpsert upsert) {
    if (!previous.cloudResourceVersion().isEmpty() && !upsert.cloudResourceVersion().isEmpty()) {
      return previous.cloudResourceVersion().equals(upsert.cloudResourceVersion());
    }
    ObjectNode incoming = upsert.object().deepCopy();
    incoming
        .withObject("metadata")
        .put("resourceVersion", Long.toString(previous.resourceVersion()));
    return incoming.equals(previous.object());
  }

  private void delete(ObjectKey key, long index) {
    String typeKey = typeKey(key.group(), key.kind());
    NavigableMap<String, Stored> objects = byType.get(typeKey);
    Stored previous = objects == null ? null : objects.remove(nameKey(key));
    if (previous == null) {
      return;
    }
    ObjectNode last = previous.object();
    last.withObject("metadata").put("resourceVersion", Long.toString(index));
    publish(new WatchEvent(WatchEvent.Kind.DELETED, typeKey, key, JsonBytes.of(last), index, null));
  }

  private void finishResync(ResyncEnd end, long index) {
    if (resyncSeen == null || !end.requestId().equals(resyncId)) {
      LOG.warn(
          "resync end {} at log index {} has no matching begin; ignored", end.requestId(), index);
      return;
    }
    if (!resyncParts.ended(end)) {
      return; // other parts still to come
    }
    List<Stored> gone = new ArrayList<>();
    for (Map.Entry<String, NavigableMap<String, Stored>> type : byType.entrySet()) {
      for (Stored stored : type.getValue().values()) {
        if (!resyncSeen.contains(type.getKey() + "|" + nameKey(stored.key()))) {
          gone.add(stored);
        }
      }
    }
    gone.forEach(stored -> delete(stored.key(), index));
    LOG.info(
        "resync {} done at log index {}: {} objects received, {} deleted",
        end.requestId(),
        index,
        resyncSeen.size(),
        gone.size());
    resyncId = null;
    resyncSeen = null;
    resyncParts = null;
  }

  private void publish(WatchEvent event) {
    history.addLast(event);
    while (history.size() > historyLimit) {
      historyFloor = history.removeFirst().resourceVersion();
    }
    for (Registration watch : watches) {
      WatchEvent seen = event.seenThrough(watch.filter());
      if (seen != null) {
        deliver(watch, seen);
      }
    }
  }

  private void deliver(Registration watch, WatchEvent event) {
    if (!watch.sink().offer(event)) {
      watches.remove(watch);
      watch.sink().closed("watch buffer full: the client is reading too slowly");
    }
  }

  /** The log index of the last applied entry: the resourceVersion of a list taken now. */
  public long resourceVersion() {
    lock.readLock().lock();
    try {
      return appliedIndex;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** A consistent snapshot of matching objects, sorted by namespace and name. */
  public Snapshot list(WatchFilter filter) {
    lock.readLock().lock();
    try {
      NavigableMap<String, Stored> objects = byType.getOrDefault(filter.typeKey(), new TreeMap<>());
      List<Stored> items = new ArrayList<>();
      for (Stored stored : objects.values()) {
        if (filter.matches(stored)) {
          items.add(stored);
        }
      }
      return new Snapshot(items, appliedIndex);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Matching objects, in namespace/name order, and the resourceVersion they were read at. */
  public record Snapshot(List<Stored> stored, long resourceVersion) {
    /** The objects, each parsed anew. */
    public List<ObjectNode> items() {
      return stored.stream().map(Stored::object).toList();
    }
  }

  public java.util.Optional<Stored> get(ResourceType type, String namespace, String name) {
    lock.readLock().lock();
    try {
      NavigableMap<String, Stored> objects = byType.get(typeKey(type.group(), type.kind()));
      return java.util.Optional.ofNullable(
          objects == null ? null : objects.get(namespace + "/" + name));
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Starts a watch.
   *
   * @param fromResourceVersion deliver changes after this version; a negative value means "from
   *     now", with the current objects first as ADDED events (Kubernetes' semantics for an unset or
   *     zero resourceVersion, and for sendInitialEvents)
   * @param initialEventsEndBookmark after the current objects, send a BOOKMARK (the caller marks it
   *     {@code k8s.io/initial-events-end})
   * @return a handle that stops the watch
   * @throws ExpiredException when {@code fromResourceVersion} is older than the retained history
   */
  public AutoCloseable watch(
      WatchFilter filter,
      long fromResourceVersion,
      boolean bookmarks,
      boolean initialEventsEndBookmark,
      WatchSink sink) {
    Objects.requireNonNull(sink, "sink");
    Registration registration = new Registration(filter, sink, bookmarks);
    lock.writeLock().lock();
    try {
      if (fromResourceVersion < 0) {
        for (Stored stored : list(filter).stored()) {
          WatchEvent added =
              new WatchEvent(
                  WatchEvent.Kind.ADDED,
                  filter.typeKey(),
                  stored.key(),
                  stored.json(),
                  stored.resourceVersion(),
                  null);
          if (!sink.offer(added)) {
            sink.closed("watch buffer full during initial events");
            return () -> {};
          }
        }
        if (initialEventsEndBookmark && !sink.offer(WatchEvent.bookmark(appliedIndex))) {
          sink.closed("watch buffer full during initial events");
          return () -> {};
        }
      } else {
        if (fromResourceVersion < historyFloor) {
          throw new ExpiredException(fromResourceVersion, historyFloor);
        }
        for (WatchEvent event : history) {
          WatchEvent seen =
              event.resourceVersion() > fromResourceVersion ? event.seenThrough(filter) : null;
          if (seen != null && !sink.offer(seen)) {
            sink.closed("watch buffer full while replaying history");
            return () -> {};
          }
        }
      }
      watches.add(registration);
    } finally {
      lock.writeLock().unlock();
    }
    return () -> watches.remove(registration);
  }

  /** Sends a BOOKMARK at the current resourceVersion to every watch that asked for them. */
  public void bookmark() {
    lock.writeLock().lock();
    try {
      WatchEvent bookmark = WatchEvent.bookmark(appliedIndex);
      for (Registration watch : watches) {
        if (watch.bookmarks()) {
          deliver(watch, bookmark);
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  public int watchCount() {
    return watches.size();
  }

  /** Number of objects held, across kinds. */
  public int size() {
    lock.readLock().lock();
    try {
      int n = 0;
      for (NavigableMap<String, Stored> objects : byType.values()) {
        n += objects.size();
      }
      return n;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The objects of one kind, whether or not the API serves that kind (rules, devices). */
  public List<Stored> objectsOf(String group, String kind) {
    lock.readLock().lock();
    try {
      NavigableMap<String, Stored> objects = byType.get(typeKey(group, kind));
      return objects == null ? List.of() : List.copyOf(objects.values());
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Every object held, for snapshots and diagnostics. */
  public List<Stored> all() {
    lock.readLock().lock();
    try {
      List<Stored> all = new ArrayList<>();
      for (NavigableMap<String, Stored> objects : byType.values()) {
        all.addAll(objects.values());
      }
      return all;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The state as of the last applied entry, for a snapshot; empty while a resync is under way,
   * because a snapshot taken then could not finish the resync's diff after a restart.
   */
  public java.util.Optional<Checkpoint> checkpoint() {
    lock.readLock().lock();
    try {
      if (resyncSeen != null || appliedIndex < 0) {
        return java.util.Optional.empty();
      }
      // stored objects are never modified, only replaced: the list is a consistent state
      return java.util.Optional.of(new Checkpoint(appliedIndex, all()));
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Every object held as of log index {@code index}. */
  public record Checkpoint(long index, List<Stored> objects) {}

  /**
   * Loads a snapshot into a view that has applied nothing yet; log entries up to its index are then
   * skipped. Watches can resume only from its index on, as the changes before it are gone.
   */
  public void restore(Checkpoint checkpoint) {
    lock.writeLock().lock();
    try {
      if (appliedIndex >= 0 || !byType.isEmpty()) {
        throw new IllegalStateException(
            "a snapshot can only be restored into an empty view; this one is at " + appliedIndex);
      }
      for (Stored stored : checkpoint.objects()) {
        ObjectKey key = stored.key();
        byType
            .computeIfAbsent(typeKey(key.group(), key.kind()), k -> new TreeMap<>())
            .put(nameKey(key), stored);
        if (isCrd(key)) {
          types.addCrd(stored.object());
        }
      }
      appliedIndex = checkpoint.index();
      historyFloor = checkpoint.index();
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static boolean isCrd(ObjectKey key) {
    return "CustomResourceDefinition".equals(key.kind())
        && "apiextensions.k8s.io".equals(key.group());
  }

  /** Drops watches whose sink is gone (for tests and shutdown). */
  public void closeAllWatches(String reason) {
    for (Iterator<Registration> it = watches.iterator(); it.hasNext(); ) {
      Registration watch = it.next();
      watches.remove(watch);
      watch.sink().closed(reason);
    }
  }
}
