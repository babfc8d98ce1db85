package io.kedge.cloud.router;

import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ReferrerNodes;
import io.kedge.schemas.ResourceUpsert;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * References that cross the router's partitions: a PersistentVolumeClaim lives in the partition of
 * its namespace, with the pods that mount it, while the PersistentVolume bound to it lives in the
 * partition of its own name. The claim's task tells the volume's task, through the requests topic,
 * which nodes hold the claim ({@link ReferrerNodes}) each time that changes or the claim is bound
 * elsewhere; the volume's task keeps what each claim said and places the volume on their union.
 * Both sides are state stores, so the word survives restarts and task moves, and a claim that was
 * told once is never told again the same thing.
 */
final class RemoteReferences {
  /** Referrer id to what its task last told: the referenced object's key, then its nodes. */
  static final String TOLD = "router-remote-told";

  /** {@code referencedId\nreferrerId} to the nodes the referrer is held by, as lines. */
  static final String REFERRERS = "router-remote-referrers";

  static final String SINK = "remote-references";

  private final ProcessorContext<String, Object> context;
  private final Placement placement;
  private final KeyValueStore<String, String> told;
  private final KeyValueStore<String, String> referrers;

  RemoteReferences(ProcessorContext<String, Object> context, Placement placement) {
    this.context = context;
    this.placement = placement;
    this.told = context.getStateStore(TOLD);
    this.referrers = context.getStateStore(REFERRERS);
  }

  /**
   * Object {@code id} ({@code object}: as stored now, null when deleted) is held by {@code
   * holders}: the partition of what it references elsewhere hears of it if that changed.
   */
  void placed(ObjectKey key, String id, ResourceUpsert object, Set<String> holders) {
    if (!placement.referencesRemotely(key)) {
      return;
    }
    ObjectKey target = object == null ? null : placement.remoteReference(key, object.object());
    Set<String> nodes = target == null ? Set.of() : new TreeSet<>(holders);
    List<String> before = lines(told.get(id));
    String beforeTarget = before.isEmpty() ? null : before.get(0);
    String targetKey = target == null ? null : target.toString();
    if (beforeTarget != null && !beforeTarget.equals(targetKey)) {
      tell(beforeTarget, id, Set.of()); // bound elsewhere now, or gone
    }
    if (targetKey == null) {
      told.delete(id);
      return;
    }
    if (targetKey.equals(beforeTarget)
        && new TreeSet<>(before.subList(1, before.size())).equals(nodes)) {
      return;
    }
    tell(targetKey, id, nodes);
    List<String> now = new ArrayList<>();
    now.add(targetKey);
    now.addAll(nodes);
    told.put(id, String.join("\n", now));
  }

  private void tell(String referencedKey, String referrerId, Set<String> nodes) {
    RouterOutputs.forwardEvent(
        context, SINK, referencedKey, new ReferrerNodes(referrerId, List.copyOf(nodes)));
  }

  /** The referenced object's side: records what one of its referrers said. */
  void heard(String referencedId, ReferrerNodes word) {
    Holdings.putSet(referrers, referencedId + "\n" + word.referrer(), new TreeSet<>(word.nodes()));
  }

  /** The nodes every remote referrer of {@code referencedId} is held by. */
  Set<String> nodes(String referencedId) {
    Set<String> nodes = new TreeSet<>();
    try (KeyValueIterator<String, String> it =
        referrers.prefixScan(referencedId + "\n", new StringSerializer())) {
      it.forEachRemaining(kv -> nodes.addAll(Holdings.nodesOf(kv.value)));
    }
    return nodes;
  }

  private static List<String> lines(String joined) {
    return joined == null || joined.isEmpty() ? List.of() : List.of(joined.split("\n"));
  }
}
