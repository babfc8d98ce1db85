package io.kedge.cloud.fleet;

/**
 * One node as the cloud sees it from its heartbeats and its node topic.
 *
 * @param link the link state the node last reported, or {@code OFFLINE} when its heartbeats stopped
 *     for longer than {@code fleet.offline-after}
 * @param lagRecords node-topic records not yet in the node's log (-1: end offset not read yet)
 * @param behindSeconds how long the node has been behind its topic (0: caught up)
 */
public record NodeHealth(
    String node,
    String link,
    long lastSeenMs,
    double lastSeenSecondsAgo,
    long lagRecords,
    double behindSeconds,
    long logOffset,
    long endOffset,
    long uplinkBacklog,
    long diskFreeBytes,
    long diskBudgetBytes,
    long viewObjects,
    String version,
    long startedAtMs) {
  public static final String OFFLINE = "OFFLINE";

  /** Its link up (connected, or resyncing over it) and heard from within the grace period. */
  public boolean online() {
    return "CONNECTED".equals(link) || "RESYNCING".equals(link);
  }
}
