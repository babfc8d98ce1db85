package io.kedge.cloud.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Answers an {@code admission.k8s.io/v1} AdmissionReview sent to one path of the webhook. */
public interface AdmissionReviewer {
  /**
   * The AdmissionReview answering {@code review}.
   *
   * @throws IllegalArgumentException naming the field when the review cannot be answered
   */
  ObjectNode answer(JsonNode review);
}
