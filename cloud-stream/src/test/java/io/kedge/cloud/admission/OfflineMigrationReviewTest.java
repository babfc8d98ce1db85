package io.kedge.cloud.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.kube.objects.OfflineAutonomy;
import io.kedge.schemas.EventCodec;
import java.io.InputStream;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * AdmissionReviews as kube-apiserver sends them, answered as offline autonomy requires
 * (docs/compatibility.md).
 */
class OfflineMigrationReviewTest {
  private final OfflineMigrationReview review =
      new OfflineMigrationReview(new OfflineAutonomy(false));

  private static ObjectNode sample() throws Exception {
    try (InputStream in =
        OfflineMigrationReviewTest.class.getResourceAsStream(
            "/admission/pod-create-default-tolerations.json")) {
      return (ObjectNode) EventCodec.json().readTree(in);
    }
  }

  private static ObjectNode pod(ObjectNode review) {
    return review.withObject("request").withObject("object");
  }

  private static ArrayNode patchOf(JsonNode answer) throws Exception {
    JsonNode response = answer.path("response");
    assertThat(response.path("allowed").asBoolean()).isTrue();
    if (!response.has("patch")) {
      return null;
    }
    assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
    return (ArrayNode)
        EventCodec.json().readTree(Base64.getDecoder().decode(response.path("patch").asText()));
  }

  @Test
  void theDefault300SecondTolerationIsReplacedAndTheOthersKept() throws Exception {
    JsonNode answer = review.answer(sample());
    assertThat(answer.at("/response/uid").asText())
        .isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
    ArrayNode patch = patchOf(answer);
    assertThat(patch).hasSize(1);
    assertThat(patch.get(0).path("op").asText()).isEqualTo("replace");
    assertThat(patch.get(0).path("path").asText()).isEqualTo("/spec/tolerations");
    assertThat(patch.get(0).path("value").toString())
        .isEqualTo(
            "[{\"key\":\"node.kubernetes.io/not-ready\",\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":300},"
                + "{\"key\":\"dedicated\",\"operator\":\"Equal\",\"value\":\"edge\",\"effect\":\"NoSchedule\"},"
                + "{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\"}]");
  }

  @Test
  void anUnlabelledPodIsNotPatched() throws Exception {
    ObjectNode sample = sample();
    pod(sample).withObject("metadata").withObject("labels").remove("app-offline.kubeedge.io");
    assertThat(patchOf(review.answer(sample))).isNull();
  }

  @Test
  void aLabelledPodWithoutTolerationsGetsAnAdd() throws Exception {
    ObjectNode sample = sample();
    pod(sample).withObject("spec").remove("tolerations");
    ArrayNode patch = patchOf(review.answer(sample));
    assertThat(patch.toString())
        .isEqualTo(
            "[{\"op\":\"add\",\"path\":\"/spec/tolerations\",\"value\":"
                + "[{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\"}]}]");
  }

  @Test
  void anAlreadyCorrectPodIsANoOp() throws Exception {
    ObjectNode sample = sample();
    ArrayNode tolerations = pod(sample).withObject("spec").putArray("tolerations");
    tolerations.addObject().put("key", "node.kubernetes.io/unreachable").put("operator", "Exists");
    assertThat(patchOf(review.answer(sample))).isNull();
  }

  @Test
  void anUpdateOfAPodWithTheDefault300SecondsPatchesNothingAndWarnsToRecreate() throws Exception {
    ObjectNode sample = sample();
    sample.withObject("request").put("operation", "UPDATE");
    JsonNode answer = review.answer(sample);
    assertThat(patchOf(answer))
        .as("an unlimited toleration beside the 300 s one would not keep the pod")
        .isNull();
    assertThat(answer.at("/response/warnings/0").asText())
        .contains("keeps its 300 s toleration of node.kubernetes.io/unreachable")
        .contains("delete and recreate the pod to make it autonomous");
  }

  @Test
  void anUpdateAddsWhatIsMissingWhenNothingLimitsIt() throws Exception {
    ObjectNode sample = sample();
    sample.withObject("request").put("operation", "UPDATE");
    ArrayNode tolerations = pod(sample).withObject("spec").putArray("tolerations");
    tolerations.addObject().put("key", "dedicated").put("operator", "Exists");
    JsonNode answer = review.answer(sample);
    ArrayNode patch = patchOf(answer);
    assertThat(patch).hasSize(1);
    assertThat(patch.get(0).path("op").asText()).isEqualTo("add");
    assertThat(patch.get(0).path("path").asText()).isEqualTo("/spec/tolerations/-");
    assertThat(answer.at("/response/warnings").isMissingNode()).isTrue();
  }

  @Test
  void theNotReadyOptionReplacesThatTolerationToo() throws Exception {
    OfflineMigrationReview withNotReady = new OfflineMigrationReview(new OfflineAutonomy(true));
    ArrayNode patch = patchOf(withNotReady.answer(sample()));
    assertThat(patch.get(0).path("value").toString())
        .isEqualTo(
            "[{\"key\":\"dedicated\",\"operator\":\"Equal\",\"value\":\"edge\",\"effect\":\"NoSchedule\"},"
                + "{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\"},"
                + "{\"key\":\"node.kubernetes.io/not-ready\",\"operator\":\"Exists\"}]");
  }

  @Test
  void aDeleteOrAnotherKindIsAllowedUnchanged() throws Exception {
    ObjectNode sample = sample();
    sample.withObject("request").put("operation", "DELETE");
    assertThat(patchOf(review.answer(sample))).isNull();
  }

  @Test
  void somethingElseThanAnAdmissionReviewIsRefusedWithTheReason() {
    ObjectNode bogus = EventCodec.json().createObjectNode().put("kind", "Pod");
    assertThatThrownBy(() -> review.answer(bogus))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected kind AdmissionReview");
  }
}
