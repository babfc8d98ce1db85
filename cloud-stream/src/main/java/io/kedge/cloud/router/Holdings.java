package io.kedge.cloud.router;

import io.kedge.schemas.ObjectKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which nodes hold which of a router task's objects: the placements (object → nodes) and, beside
 * them, what each node holds (node → objects), so a node's resync reads its own objects only.
 * Objects of broadcast kinds are held by every known node and kept in neither: their entry would
 * name the whole fleet.
 */
final class Holdings {
  private static final Logger LOG = LoggerFactory.getLogger(Holdings.class);

  static final String PLACEMENTS = "router-placements";

  /**
   * {@code node\nid}: what each node holds, except broadcast kinds. Its marker entry names the
   * broadcast kinds it was built for.
   */
  static final String HELD = "router-held";

  private static final String HELD_MARKER = "\u0000broadcast-kinds";

  private final Placement placement;
  private final KeyValueStore<String, byte[]> objects;
  private final KeyValueStore<String, String> placements;
  private final KeyValueStore<String, String> held;
  private final KeyValueStore<String, String> nodes;
  private boolean indexed;

  Holdings(
      Placement placement,
      KeyValueStore<String, byte[]> objects,
      KeyValueStore<String, String> placements,
      KeyValueStore<String, String> held,
      KeyValueStore<String, String> nodes) {
    this.placement = placement;
    this.objects = objects;
    this.placements = placements;
    this.held = held;
    this.nodes = nodes;
  }

  /** The nodes holding object {@code id}. */
  Set<String> holders(String id) {
    return isBroadcast(id) ? knownNodes() : nodesOf(placements.get(id));
  }

  /** Records that object {@code id}, held by {@code before}, is now held by {@code after}. */
  void set(String id, Set<String> before, Set<String> after) {
    if (isBroadcast(id)) {
      placements.delete(id); // every known node; an entry from an older router goes
      return;
    }
    putSet(placements, id, after);
    ensureIndex();
    for (String node : before) {
      if (!after.contains(node)) {
        held.delete(node + "\n" + id);
      }
    }
    for (String node : after) {
      if (!before.contains(node)) {
        held.put(node + "\n" + id, "");
      }
    }
  }

  /** What {@code node} holds: the index, then every object of the broadcast kinds. */
  List<String> heldBy(String node) {
    ensureIndex();
    List<String> ids = new ArrayList<>();
    String prefix = node + "\n";
    try (KeyValueIterator<String, String> it = held.prefixScan(prefix, new StringSerializer())) {
      it.forEachRemaining(kv -> ids.add(kv.key.substring(prefix.length())));
    }
    ids.addAll(broadcastObjects());
    return ids;
  }

  /** Every object of the broadcast kinds. */
  List<String> broadcastObjects() {
    List<String> ids = new ArrayList<>();
    for (String kind : placement.broadcastKinds()) {
      try (KeyValueIterator<String, byte[]> it =
          objects.prefixScan(kind + "/", new StringSerializer())) {
        it.forEachRemaining(kv -> ids.add(kv.key));
      }
    }
    return ids;
  }

  Set<String> knownNodes() {
    Set<String> known = new TreeSet<>();
    try (KeyValueIterator<String, String> it = nodes.all()) {
      it.forEachRemaining(kv -> known.add(kv.key));
    }
    return known;
  }

  private boolean isBroadcast(String id) {
    int kindEnd = id.indexOf('/', id.indexOf('/') + 1);
    return kindEnd > 0 && placement.broadcastKinds().contains(id.substring(0, kindEnd));
  }

  /**
   * Builds the index from the placements when it is missing (a store from before the index) or was
   * built for other broadcast kinds.
   */
  private void ensureIndex() {
    if (indexed) {
      return;
    }
    indexed = true;
    String kinds = String.join(",", new TreeSet<>(placement.broadcastKinds()));
    if (kinds.equals(held.get(HELD_MARKER))) {
      return;
    }
    List<String> stale = new ArrayList<>();
    try (KeyValueIterator<String, String> it = held.all()) {
      it.forEachRemaining(kv -> stale.add(kv.key));
    }
    stale.forEach(held::delete);
    long entries = 0;
    try (KeyValueIterator<String, String> it = placements.all()) {
      while (it.hasNext()) {
        KeyValue<String, String> entry = it.next();
        if (!isBroadcast(entry.key)) {
          for (String node : nodesOf(entry.value)) {
            held.put(node + "\n" + entry.key, "");
            entries++;
          }
        }
      }
    }
    held.put(HELD_MARKER, kinds);
    LOG.info("index of what nodes hold built: {} entries", entries);
  }

  /**
   * Whether {@code placements} has {@code key} on {@code node}: for a claim, whether that node's
   * pods use it (the Node authorizer's relation, which a node's write of the claim's status needs).
   */
  static boolean placedOn(KeyValueStore<String, String> placements, String node, ObjectKey key) {
    return nodesOf(placements.get(Placement.identity(key))).contains(node);
  }

  /** The members of a set kept as lines. */
  static Set<String> nodesOf(String joined) {
    if (joined == null || joined.isEmpty()) {
      return new TreeSet<>();
    }
    return new TreeSet<>(Arrays.asList(joined.split("\n")));
  }

  /** Keeps {@code values} as lines, or nothing when empty. */
  static void putSet(KeyValueStore<String, String> store, String key, Set<String> values) {
    if (values.isEmpty()) {
      store.delete(key);
    } else {
      store.put(key, String.join("\n", values));
    }
  }
}
