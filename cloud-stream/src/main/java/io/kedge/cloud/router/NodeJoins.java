package io.kedge.cloud.router;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nodes joining: a new Node's topic is asked for at once, without waiting for the topics of the
 * nodes joining before it, and the node is activated once its topic exists. A resync the node asks
 * for meanwhile waits for that. What is joining is kept in a store, so a task that moves or
 * restarts asks again for the topics it was waiting for.
 */
final class NodeJoins {
  private static final Logger LOG = LoggerFactory.getLogger(NodeJoins.class);

  /** Nodes whose topic is being created: node → the resync it asked for meanwhile, or "". */
  static final String JOINING = "router-joining";

  /** How often joining nodes are checked for their topic. */
  private static final Duration CHECK = Duration.ofMillis(20);

  /**
   * The most time one check spends activating nodes; the rest wait for the next check. Activating
   * thousands of nodes in one punctuation held one transaction open past its timeout, and the
   * fenced producer was replaced by one that knew no node topic.
   */
  private static final Duration ACTIVATING = Duration.ofMillis(500);

  /** How long a failed topic creation waits before it is asked again. */
  private static final java.util.concurrent.Executor RETRY_DELAY =
      CompletableFuture.delayedExecutor(1, java.util.concurrent.TimeUnit.SECONDS);

  private final ProcessorContext<?, ?> context;
  private final NodeTopics nodeTopics;
  private final KeyValueStore<String, String> joining;
  private final BiConsumer<String, String> ready;

  /** Topic creations under way (asked again after a restart: they ended with the process). */
  private final Map<String, CompletableFuture<Void>> creating = new HashMap<>();

  private boolean resumed;
  private Cancellable checks;

  /**
   * @param ready told each node whose topic exists, with the resync it asked for meanwhile (its
   *     JSON) or ""
   */
  NodeJoins(
      ProcessorContext<?, ?> context,
      NodeTopics nodeTopics,
      KeyValueStore<String, String> joining,
      BiConsumer<String, String> ready) {
    this.context = context;
    this.nodeTopics = nodeTopics;
    this.joining = joining;
    this.ready = ready;
    scheduleChecks(); // for the nodes that were joining when this task last stopped
  }

  /**
   * Asks for {@code node}'s topic. True when it exists already, so the node can be activated at
   * once; otherwise the node is joining until {@code ready} is told.
   */
  boolean start(String node) {
    CompletableFuture<Void> created = nodeTopics.ensureAsync(node);
    if (created.isDone() && !created.isCompletedExceptionally()) {
      return true;
    }
    joining.put(node, "");
    creating.put(node, created);
    scheduleChecks();
    return false;
  }

  boolean isJoining(String node) {
    return joining.get(node) != null;
  }

  /** Keeps the resync {@code request} (its JSON) a joining node asked for, until it is ready. */
  void holdResync(String node, String request) {
    joining.put(node, request);
  }

  /** The node was removed; true when it was still joining (its topic may exist by now). */
  boolean removed(String node) {
    if (joining.get(node) == null) {
      return false;
    }
    joining.delete(node);
    creating.remove(node);
    return true;
  }

  private void scheduleChecks() {
    if (checks == null) {
      checks = context.schedule(CHECK, PunctuationType.WALL_CLOCK_TIME, now -> check());
    }
  }

  /** Tells {@code ready} of the nodes whose topic exists; asks again for those that failed. */
  private void check() {
    if (!resumed) {
      resumed = true;
      try (KeyValueIterator<String, String> it = joining.all()) {
        it.forEachRemaining(kv -> creating.computeIfAbsent(kv.key, nodeTopics::ensureAsync));
      }
    }
    List<String> done = new ArrayList<>();
    for (Map.Entry<String, CompletableFuture<Void>> entry : creating.entrySet()) {
      CompletableFuture<Void> created = entry.getValue();
      if (!created.isDone()) {
        continue;
      }
      if (created.isCompletedExceptionally()) {
        LOG.warn(
            "topic of node {} could not be created ({}); asking again in a second",
            entry.getKey(),
            created.handle((ok, e) -> String.valueOf(e)).join());
        String node = entry.getKey();
        entry.setValue(
            CompletableFuture.runAsync(() -> {}, RETRY_DELAY)
                .thenCompose(waited -> nodeTopics.ensureAsync(node)));
      } else {
        done.add(entry.getKey());
      }
    }
    long deadline = System.nanoTime() + ACTIVATING.toNanos();
    int activated = 0;
    for (String node : done) {
      if (System.nanoTime() > deadline) {
        break;
      }
      creating.remove(node);
      String resync = joining.get(node);
      joining.delete(node);
      if (resync != null) {
        ready.accept(node, resync);
        activated++;
      }
    }
    if (activated > 0) {
      // one line per check, not per node: a fleet joining logs a few lines a second
      LOG.info("nodes joined: {}; still joining: {}", activated, creating.size());
    }
    if (creating.isEmpty() && checks != null) {
      checks.cancel();
      checks = null;
    }
  }
}
