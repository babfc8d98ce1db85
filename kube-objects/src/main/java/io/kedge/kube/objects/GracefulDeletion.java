package io.kedge.kube.objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.ObjectKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * How a pod is deleted, as kube-apiserver's pod strategy and {@code rest.BeforeDelete} decide it. A
 * pod that a node's agent runs is not removed at once: it is marked, {@code deletionTimestamp} set
 * to now plus its grace period and {@code deletionGracePeriodSeconds} to that period, and stays
 * (shown as Terminating) until the agent has stopped its containers and deletes it again with a
 * grace period of 0. A later delete may only shorten the period.
 *
 * <p>The grace period is the request's {@code gracePeriodSeconds} (a negative one counts as 1), or
 * the pod's {@code spec.terminationGracePeriodSeconds}, or Kubernetes' default of 30. It is 0, and
 * the pod goes at once, when no node was assigned, when the pod has finished (Succeeded or Failed),
 * and, unlike Kubernetes, when no agent has taken the pod yet ({@code status.startTime}, which a
 * kubelet sets on its first status, is missing): nothing runs it, so nobody would ever confirm the
 * deletion, as on a node served without a kubelet.
 */
final class GracefulDeletion {
  /** Kubernetes' default for {@code spec.terminationGracePeriodSeconds}. */
  static final long DEFAULT_GRACE_SECONDS = 30;

  private GracefulDeletion() {}

  /** What a delete does to the pod. */
  sealed interface Decision permits Now, Pending, Mark {}

  /** Deleted now (or, with finalizers, marked with a grace period of 0). */
  record Now() implements Decision {}

  /** A graceful deletion with no shorter period is under way: nothing changes. */
  record Pending() implements Decision {}

  /** Marked for deletion at {@code at}, {@code seconds} after it was asked for. */
  record Mark(long seconds, Instant at) implements Decision {}

  static boolean applies(ObjectKey key) {
    return key.group().isEmpty() && key.kind().equals("Pod");
  }

  /**
   * @param pod the pod held now
   * @param options the request's DeleteOptions, or null
   */
  static Decision decide(ObjectNode pod, JsonNode options, Instant now) {
    Long requested = requestedSeconds(options);
    JsonNode metadata = pod.path("metadata");
    if (metadata.has("deletionTimestamp")) {
      long held = metadata.path("deletionGracePeriodSeconds").asLong(0);
      if (held <= 0) {
        return new Now();
      }
      if (requested == null || requested >= held) {
        return new Pending();
      }
      Instant marked = timestamp(metadata.path("deletionTimestamp").asText(""), now);
      return new Mark(requested, marked.minusSeconds(held).plusSeconds(requested));
    }
    long seconds =
        requested != null
            ? requested
            : pod.path("spec").path("terminationGracePeriodSeconds").asLong(DEFAULT_GRACE_SECONDS);
    String phase = pod.path("status").path("phase").asText("");
    if (pod.path("spec").path("nodeName").asText("").isEmpty()
        || phase.equals("Succeeded")
        || phase.equals("Failed")
        || !pod.path("status").hasNonNull("startTime")) {
      seconds = 0;
    }
    return seconds == 0 ? new Now() : new Mark(seconds, now.plusSeconds(seconds));
  }

  /** The pod as a mark leaves it. */
  static ObjectNode marked(ObjectNode pod, Mark mark, String version) {
    ObjectNode next = pod.deepCopy();
    ObjectNode metadata = next.withObject("metadata");
    if (!metadata.has("deletionTimestamp") && metadata.path("generation").asLong(0) > 0) {
      // controllers see the change of intent, as with any spec change
      metadata.put("generation", metadata.path("generation").asLong() + 1);
    }
    metadata
        .put("deletionTimestamp", KubeTime.of(mark.at()))
        .put("deletionGracePeriodSeconds", mark.seconds())
        .put("resourceVersion", version);
    return next;
  }

  private static Long requestedSeconds(JsonNode options) {
    if (options == null || !options.path("gracePeriodSeconds").isIntegralNumber()) {
      return null;
    }
    long seconds = options.path("gracePeriodSeconds").asLong();
    return seconds < 0 ? 1 : seconds; // as the API server treats a negative period
  }

  private static Instant timestamp(String text, Instant otherwise) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return otherwise;
    }
  }
}
