package io.kedge.edge.api.view;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A change as a watcher sees it. {@code object} carries {@code metadata.resourceVersion} equal to
 * {@code resourceVersion}; for {@link Kind#BOOKMARK} it is {@code null}.
 */
public record WatchEvent(Kind kind, String typeKey, ObjectNode object, long resourceVersion) {
  /** Kubernetes watch event types kedge produces in the VIEW. */
  public enum Kind {
    ADDED,
    MODIFIED,
    DELETED,
    BOOKMARK
  }

  public static WatchEvent bookmark(long resourceVersion) {
    return new WatchEvent(Kind.BOOKMARK, "", null, resourceVersion);
  }
}
