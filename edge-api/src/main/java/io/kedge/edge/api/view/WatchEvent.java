package io.kedge.edge.api.view;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A change as a watcher sees it. {@code object} carries {@code metadata.resourceVersion} equal to
 * {@code resourceVersion}; for {@link Kind#BOOKMARK} it is {@code null}. {@code previous} is the
 * object before a MODIFIED change (null otherwise), so a watch with selectors can tell an object
 * that left its selection from one that changed within it.
 */
public record WatchEvent(
    Kind kind, String typeKey, ObjectNode object, long resourceVersion, ObjectNode previous) {
  /** Kubernetes watch event types kedge produces in the VIEW. */
  public enum Kind {
    ADDED,
    MODIFIED,
    DELETED,
    BOOKMARK
  }

  public WatchEvent(Kind kind, String typeKey, ObjectNode object, long resourceVersion) {
    this(kind, typeKey, object, resourceVersion, null);
  }

  public static WatchEvent bookmark(long resourceVersion) {
    return new WatchEvent(Kind.BOOKMARK, "", null, resourceVersion);
  }

  /**
   * This change as a watch with {@code filter} sees it, or null when it does not concern that
   * watch. As kube-apiserver's watch cache does: an object that starts matching is ADDED, one that
   * stops matching is DELETED with its last matching state at this change's resourceVersion.
   */
  public WatchEvent seenThrough(WatchFilter filter) {
    if (kind == Kind.BOOKMARK || !filter.typeKey().equals(typeKey)) {
      return null;
    }
    if (kind != Kind.MODIFIED) {
      return filter.matches(object) ? this : null;
    }
    boolean matchesNow = filter.matches(object);
    boolean matchedBefore = previous != null && filter.matches(previous);
    if (matchesNow) {
      return matchedBefore ? this : new WatchEvent(Kind.ADDED, typeKey, object, resourceVersion);
    }
    if (!matchedBefore) {
      return null;
    }
    ObjectNode last = previous.deepCopy();
    last.withObject("metadata").put("resourceVersion", Long.toString(resourceVersion));
    return new WatchEvent(Kind.DELETED, typeKey, last, resourceVersion);
  }
}
