package io.kedge.cloud.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.kube.objects.OfflineAutonomy;
import io.kedge.schemas.EventCodec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Answers an {@code admission.k8s.io/v1} AdmissionReview for {@code /offlinemigration}: a pod
 * labelled {@code app-offline.kubeedge.io=autonomy} gets the tolerations that keep it from ever
 * being evicted when its node goes offline. Pods are always allowed; the answer carries a JSON
 * patch only when something must change, and on UPDATE a warning (kubectl prints it) when the pod
 * cannot become autonomous without being recreated.
 */
public final class OfflineMigrationReview implements AdmissionReviewer {
  private final OfflineAutonomy autonomy;

  public OfflineMigrationReview(OfflineAutonomy autonomy) {
    this.autonomy = autonomy;
  }

  /**
   * The AdmissionReview answering {@code review}.
   *
   * @throws IllegalArgumentException naming the field when the review cannot be answered
   */
  @Override
  public ObjectNode answer(JsonNode review) {
    JsonNode request = request(review);
    ObjectNode answer = allowed(request);
    ObjectNode response = (ObjectNode) answer.path("response");
    JsonNode pod = request.path("object");
    String operation = request.path("operation").asText("");
    boolean isPod =
        "Pod".equals(pod.path("kind").asText("Pod"))
            && "".equals(request.path("kind").path("group").asText(""))
            && "Pod".equals(request.path("kind").path("kind").asText("Pod"));
    if (!isPod || !(operation.equals("CREATE") || operation.equals("UPDATE")) || !pod.isObject()) {
      return answer;
    }
    boolean update = operation.equals("UPDATE");
    String warning = update ? autonomy.updateWarning(pod) : null;
    if (warning != null) {
      response.putArray("warnings").add(warning);
    }
    ArrayNode patch = autonomy.patch(pod, update);
    if (!patch.isEmpty()) {
      response.put("patchType", "JSONPatch");
      response.put(
          "patch",
          Base64.getEncoder().encodeToString(patch.toString().getBytes(StandardCharsets.UTF_8)));
    }
    return answer;
  }

  /**
   * The request of an {@code admission.k8s.io/v1} AdmissionReview.
   *
   * @throws IllegalArgumentException when {@code review} is not one, or has no {@code request.uid}
   */
  static JsonNode request(JsonNode review) {
    if (!"AdmissionReview".equals(review.path("kind").asText())
        || !"admission.k8s.io/v1".equals(review.path("apiVersion").asText())) {
      throw new IllegalArgumentException(
          "expected kind AdmissionReview, apiVersion admission.k8s.io/v1; got kind '"
              + review.path("kind").asText()
              + "', apiVersion '"
              + review.path("apiVersion").asText()
              + "'");
    }
    JsonNode request = review.path("request");
    if (request.path("uid").asText("").isEmpty()) {
      throw new IllegalArgumentException("request.uid is missing");
    }
    return request;
  }

  /** An answer allowing {@code request}, to which a reviewer adds a patch or a refusal. */
  static ObjectNode allowed(JsonNode request) {
    ObjectNode answer = EventCodec.json().createObjectNode();
    answer.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    answer.putObject("response").put("uid", request.path("uid").asText()).put("allowed", true);
    return answer;
  }
}
