package io.kedge.schemas;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Upserts that write only an object's status, as Kubernetes' status subresource does: a {@link
 * ResourceUpsert} whose event subject is {@value #SUBJECT}. It changes the status of the object it
 * names if that object exists (with the same uid, where the write names one), keeps the rest as
 * stored, and never creates an object. Whoever writes a status beside other writers (the rules'
 * message counters) sends one, so that a status write appended after a delete does not bring the
 * object back, nor one appended after a spec change revert it.
 */
public final class StatusWrites {
  /** The event subject that marks a status write. */
  public static final String SUBJECT = "status";

  private StatusWrites() {}

  /** Whether {@code event} is a status write. */
  public static boolean is(KedgeEvent event) {
    return SUBJECT.equals(event.subject()) && event.data() instanceof ResourceUpsert;
  }

  /**
   * {@code current} with the status of {@code write}, or null when the write applies to nothing:
   * the object is gone, or was deleted and created again (another uid, where the write names one).
   */
  public static ObjectNode applied(ObjectNode current, ObjectNode write) {
    if (current == null || (!uid(write).isEmpty() && !uid(write).equals(uid(current)))) {
      return null;
    }
    ObjectNode applied = current.deepCopy();
    if (write.has("status")) {
      applied.set("status", write.get("status").deepCopy());
    } else {
      applied.remove("status");
    }
    return applied;
  }

  /**
   * The upsert that {@code write}, a status write, makes of {@code current} (the object as held,
   * null when none): {@code current}'s object with the write's status, under the write's version;
   * null when the write applies to nothing.
   */
  public static ResourceUpsert applied(ResourceUpsert current, ResourceUpsert write) {
    ObjectNode applied = applied(current == null ? null : current.object(), write.object());
    return applied == null
        ? null
        : new ResourceUpsert(write.key(), write.cloudResourceVersion(), applied);
  }

  private static String uid(ObjectNode object) {
    return object.path("metadata").path("uid").asText("");
  }
}
