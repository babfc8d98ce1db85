package io.kedge.cloud.router;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventData;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ReferrerNodes;
import io.kedge.schemas.ResourceDelete;
import io.kedge.schemas.ResourceUpsert;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a task's objects go: the nodes each belongs on now (all known nodes for a broadcast kind,
 * the nodes it is bound to, or the nodes of the objects that reference it, and the nodes that wrote
 * it), and the upserts and deletes that move it there. Referenced objects follow their referrers
 * through the referrer index: they reach a node before the first object that needs them and leave
 * after the last. An object bound to a node not known yet waits for it ({@link
 * RouteProcessor#WAITING}). A PersistentVolume follows the claim bound to it from another partition
 * ({@link RemoteReferences}).
 */
final class ObjectPlacer {
  private static final Logger LOG = LoggerFactory.getLogger(ObjectPlacer.class);

  private final ProcessorContext<String, Object> context;
  private final Placement placement;
  private final Holdings holdings;

  /** Referenced object id to the ids of the objects that reference it. */
  private final KeyValueStore<String, String> referrers;

  private final KeyValueStore<String, String> nodes;
  private final KeyValueStore<String, String> waiting;

  /**
   * Object id to the nodes that wrote it through their edge API: a node reads back what it wrote,
   * as a client of kube-apiserver does, until the object is deleted.
   */
  private final KeyValueStore<String, String> writers;

  private final Function<String, ResourceUpsert> objects;
  private final RemoteReferences remote;

  ObjectPlacer(
      ProcessorContext<String, Object> context,
      Placement placement,
      Holdings holdings,
      KeyValueStore<String, String> referrers,
      KeyValueStore<String, String> nodes,
      KeyValueStore<String, String> waiting,
      KeyValueStore<String, String> writers,
      Function<String, ResourceUpsert> objects,
      RemoteReferences remote) {
    this.context = context;
    this.placement = placement;
    this.holdings = holdings;
    this.referrers = referrers;
    this.nodes = nodes;
    this.waiting = waiting;
    this.writers = writers;
    this.objects = objects;
    this.remote = remote;
  }

  /**
   * {@code upsert} is stored (over {@code previous}, null when new): it goes where it belongs now,
   * and what it references moves with it: additions before it, removals after it. {@code wrote} are
   * the nodes whose writes made it.
   */
  void upserted(ResourceUpsert previous, ResourceUpsert upsert, Set<String> wrote) {
    ObjectKey key = upsert.key();
    if (!wrote.isEmpty() && placement.rule(key) != Placement.Rule.BROADCAST) {
      String id = Placement.identity(key);
      Set<String> all = Holdings.nodesOf(writers.get(id));
      if (all.addAll(wrote)) {
        Holdings.putSet(writers, id, all);
      }
    }
    Set<String> referenceChanges = updateReferences(key, previous, upsert.object());
    referenceChanges.forEach(ref -> place(ref, true, false));
    placeObject(Placement.identity(key), upsert);
    referenceChanges.forEach(ref -> place(ref, false, true));
  }

  /**
   * {@code key} is deleted ({@code previous}: as it was, null when unknown): it leaves its nodes.
   */
  void deleted(ObjectKey key, ResourceUpsert previous) {
    String id = Placement.identity(key);
    Set<String> referenceChanges =
        previous == null ? Set.of() : updateReferences(key, previous, null);
    writers.delete(id);
    Set<String> holders = holdings.holders(id);
    for (String node : holders) {
      emit(node, key, new ResourceDelete(key, ""));
    }
    setHolders(key, id, null, holders, Set.of());
    referenceChanges.forEach(ref -> place(ref, false, true));
  }

  /** Updates the referrer index for {@code key}'s references; returns referenced ids touched. */
  private Set<String> updateReferences(ObjectKey key, ResourceUpsert previous, ObjectNode current) {
    String id = Placement.identity(key);
    Set<String> before =
        previous == null ? Set.of() : ids(placement.references(key, previous.object()));
    Set<String> after = current == null ? Set.of() : ids(placement.references(key, current));
    Set<String> touched = new LinkedHashSet<>();
    for (String ref : before) {
      if (!after.contains(ref)) {
        Set<String> set = Holdings.nodesOf(referrers.get(ref));
        set.remove(id);
        Holdings.putSet(referrers, ref, set);
        touched.add(ref);
      }
    }
    for (String ref : after) {
      Set<String> set = Holdings.nodesOf(referrers.get(ref));
      set.add(id);
      Holdings.putSet(referrers, ref, set);
      touched.add(ref); // the referrer may have moved to another node
    }
    return touched;
  }

  private static Set<String> ids(Set<ObjectKey> keys) {
    return keys.stream()
        .map(Placement::identity)
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  /** The nodes {@code upsert} should be on now, among the known ones. */
  private Set<String> desired(String id, ResourceUpsert upsert) {
    Set<String> wanted =
        switch (placement.rule(upsert.key())) {
          case BROADCAST -> holdings.knownNodes();
          case DIRECT -> placement.directNodes(upsert.key(), upsert.object());
          case REFERENCED -> nodesOfReferrers(id);
          case CLAIMED -> remote.nodes(id);
        };
    Set<String> wrote = Holdings.nodesOf(writers.get(id));
    if (!wrote.isEmpty()) {
      wanted = new TreeSet<>(wanted);
      wanted.addAll(wrote);
    }
    Set<String> known = new TreeSet<>();
    for (String node : wanted) {
      if (nodes.get(node) != null) {
        known.add(node);
      } else if (placement.rule(upsert.key()) != Placement.Rule.REFERENCED) {
        waiting.put(node + "\n" + id, ""); // sent when this task hears of the node
      }
    }
    return known;
  }

  private Set<String> nodesOfReferrers(String id) {
    Set<String> result = new TreeSet<>();
    for (String referrer : Holdings.nodesOf(referrers.get(id))) {
      ResourceUpsert object = objects.apply(referrer);
      if (object != null) {
        result.addAll(placement.directNodes(object.key(), object.object()));
      }
    }
    return result;
  }

  private void placeObject(String id, ResourceUpsert upsert) {
    Set<String> before = holdings.holders(id);
    Set<String> after = desired(id, upsert);
    for (String node : before) {
      if (!after.contains(node)) {
        emit(node, upsert.key(), new ResourceDelete(upsert.key(), upsert.cloudResourceVersion()));
      }
    }
    for (String node : after) {
      emit(node, upsert.key(), upsert);
    }
    setHolders(upsert.key(), id, upsert, before, after);
  }

  /**
   * Re-places a referenced object whose referrers changed: additions first (before the referrer
   * arrives), removals later (after it left).
   */
  private void place(String id, boolean additions, boolean removals) {
    ResourceUpsert object = objects.apply(id);
    Set<String> before = holdings.holders(id);
    Set<String> after = object == null ? Set.of() : desired(id, object);
    Set<String> next = new TreeSet<>(before);
    if (additions && object != null) {
      for (String node : after) {
        if (!before.contains(node)) {
          emit(node, object.key(), object);
          next.add(node);
        }
      }
    }
    if (removals && object != null) {
      for (String node : before) {
        if (!after.contains(node)) {
          emit(node, object.key(), new ResourceDelete(object.key(), object.cloudResourceVersion()));
          next.remove(node);
        }
      }
    }
    if (object != null) {
      setHolders(object.key(), id, object, before, next);
    } else {
      holdings.set(id, before, next);
    }
  }

  /**
   * A referrer kept in another partition (a PersistentVolumeClaim) said which nodes hold it: the
   * object it references ({@code referencedKey}, kept here) moves to them.
   */
  void heard(String referencedKey, ReferrerNodes word) {
    String id = Placement.identity(ObjectKey.parse(referencedKey));
    remote.heard(id, word);
    place(id, true, true);
  }

  /** Records {@code id}'s holders; what it references in another partition hears of them. */
  private void setHolders(
      ObjectKey key, String id, ResourceUpsert object, Set<String> before, Set<String> after) {
    holdings.set(id, before, after);
    remote.placed(key, id, object, after);
  }

  /**
   * A node just appeared: send it what already waits for it (objects bound to it, with what they
   * reference first) and every broadcast object. Only those are read, so a join costs the same
   * however many objects the router holds.
   */
  void catchUp(String node) {
    int sent = 0;
    for (String id : holdings.broadcastObjects()) {
      ResourceUpsert object = objects.apply(id);
      if (object != null) {
        emit(node, object.key(), object); // the node is new: it holds none of them
        sent++;
      }
    }
    String prefix = node + "\n";
    List<String> bound = new ArrayList<>();
    try (KeyValueIterator<String, String> it = waiting.prefixScan(prefix, new StringSerializer())) {
      it.forEachRemaining(kv -> bound.add(kv.key));
    }
    for (String entry : bound) {
      waiting.delete(entry);
      String id = entry.substring(prefix.length());
      ResourceUpsert object = objects.apply(id);
      if (object == null) {
        continue;
      }
      for (ObjectKey ref : placement.references(object.key(), object.object())) {
        sent += sendIfMissing(node, Placement.identity(ref)); // before what needs them
      }
      sent += sendIfMissing(node, id);
    }
    if (sent > 0) {
      LOG.debug("node {} caught up with {} pending objects", node, sent);
    }
  }

  /** Sends object {@code id} to {@code node} if it belongs there and is not there yet. */
  private int sendIfMissing(String node, String id) {
    ResourceUpsert object = objects.apply(id);
    if (object == null) {
      return 0;
    }
    Set<String> before = holdings.holders(id);
    if (before.contains(node) || !desired(id, object).contains(node)) {
      return 0;
    }
    emit(node, object.key(), object);
    Set<String> after = new TreeSet<>(before);
    after.add(node);
    setHolders(object.key(), id, object, before, after);
    return 1;
  }

  boolean isReferenced(String id) {
    return referrers.get(id) != null;
  }

  private void emit(String node, ObjectKey key, EventData data) {
    RouterOutputs.emit(context, node, key, data);
  }
}
