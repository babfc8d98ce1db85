package io.kedge.cloud.router;

/** Creates (and optionally deletes) node topics when Nodes appear and go. */
public interface NodeTopics {
  /** Ensures the topic of {@code node} exists; idempotent. */
  void ensure(String node);

  /** Called when a Node is deleted; implementations may delete its topic. */
  void released(String node);
}
