package io.kedge.cloud.router;

import java.util.concurrent.CompletableFuture;

/** Creates (and optionally deletes) node topics when Nodes appear and go. */
public interface NodeTopics {
  /** Ensures the topic of {@code node} exists; idempotent. */
  void ensure(String node);

  /**
   * Starts ensuring the topic of {@code node} exists; completes once it does. The router asks for
   * many at once while nodes join, instead of waiting for each in turn.
   */
  default CompletableFuture<Void> ensureAsync(String node) {
    ensure(node);
    return CompletableFuture.completedFuture(null);
  }

  /** Called when a Node is deleted; implementations may delete its topic. */
  void released(String node);
}
