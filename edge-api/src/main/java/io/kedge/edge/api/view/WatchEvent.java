package io.kedge.edge.api.view;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.ObjectKey;

/**
 * A change as a watcher sees it. {@code json} is the object, whose {@code metadata.resourceVersion}
 * is {@code resourceVersion}; for {@link Kind#BOOKMARK} it and {@code key} are {@code null}. {@code
 * previousJson} is the object before a MODIFIED change (null otherwise), so a watch with selectors
 * can tell an object that left its selection from one that changed within it. The arrays are shared
 * with the VIEW and must not be modified.
 */
public record WatchEvent(
    Kind kind,
    String typeKey,
    ObjectKey key,
    byte[] json,
    long resourceVersion,
    byte[] previousJson) {
  /** Kubernetes watch event types kedge produces in the VIEW. */
  public enum Kind {
    ADDED,
    MODIFIED,
    DELETED,
    BOOKMARK
  }

  public WatchEvent(Kind kind, String typeKey, ObjectNode object, long resourceVersion) {
    this(kind, typeKey, ObjectKey.of(object), JsonBytes.of(object), resourceVersion, null);
  }

  public static WatchEvent bookmark(long resourceVersion) {
    return new WatchEvent(Kind.BOOKMARK, "", null, null, resourceVersion, null);
  }

  /** The object, parsed anew (null for a BOOKMARK). */
  public ObjectNode object() {
    return json == null ? null : JsonBytes.parse(json);
  }

  /** The object before a MODIFIED change, parsed anew, or null. */
  public ObjectNode previous() {
    return previousJson == null ? null : JsonBytes.parse(previousJson);
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
      return filter.matches(key, json) ? this : null;
    }
    boolean matchesNow = filter.matches(key, json);
    boolean matchedBefore = previousJson != null && filter.matches(key, previousJson);
    if (matchesNow) {
      return matchedBefore
          ? this
          : new WatchEvent(Kind.ADDED, typeKey, key, json, resourceVersion, null);
    }
    if (!matchedBefore) {
      return null;
    }
    ObjectNode last = previous();
    last.withObject("metadata").put("resourceVersion", Long.toString(resourceVersion));
    return new WatchEvent(Kind.DELETED, typeKey, key, JsonBytes.of(last), resourceVersion, null);
  }
}
