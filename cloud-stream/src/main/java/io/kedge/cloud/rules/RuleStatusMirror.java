package io.kedge.cloud.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.cloud.kube.KubeWrites;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.WriteRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes mode: copies each Rule's status (exact counters and errors, committed to
 * kedge.resources with the messages they count) to the Rule's status subresource in the cluster,
 * with a merge patch, whenever it changes. Absolute values make a repeated patch harmless, so every
 * cloud instance may mirror.
 */
final class RuleStatusMirror {
  private static final Logger LOG = LoggerFactory.getLogger(RuleStatusMirror.class);
  private static final String MERGE_PATCH = "application/merge-patch+json";

  private final RuleBook book;
  private final KubeWrites kubernetes;
  private final Map<String, JsonNode> mirrored = new HashMap<>();

  RuleStatusMirror(RuleBook book, KubeWrites kubernetes) {
    this.book = book;
    this.kubernetes = kubernetes;
  }

  /** Patches the status of every rule whose status differs from what was mirrored last. */
  synchronized void mirror() {
    Map<String, ObjectNode> rules = book.rules();
    mirrored.keySet().retainAll(rules.keySet());
    for (Map.Entry<String, ObjectNode> entry : rules.entrySet()) {
      JsonNode status = entry.getValue().path("status");
      if (status.isMissingNode() || status.equals(mirrored.get(entry.getKey()))) {
        continue;
      }
      ObjectNode patch = EventCodec.json().createObjectNode();
      patch.set("status", status);
      ObjectKey key = ObjectKey.of(entry.getValue());
      KubeWrites.Result result =
          kubernetes.apply(
              new WriteRequest(
                  "rule-status-" + UUID.randomUUID(),
                  "",
                  WriteOperation.PATCH,
                  key,
                  "status",
                  MERGE_PATCH,
                  patch,
                  "",
                  false,
                  "kedge-rules"));
      if (result.succeeded() || result.code() == 404) {
        mirrored.put(entry.getKey(), status);
      } else {
        LOG.warn(
            "status of rule {} not written to Kubernetes ({}): {}; retried",
            entry.getKey(),
            result.code(),
            result.body().path("message").asText());
      }
    }
  }
}
