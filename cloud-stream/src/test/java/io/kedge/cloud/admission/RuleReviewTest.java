package io.kedge.cloud.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.cloud.rules.RuleBook;
import io.kedge.kube.objects.RuleManifests;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.ObjectKey;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The validating webhook of Rules: an AdmissionReview in, allowed or refused with the reasons. */
class RuleReviewTest {
  private final RuleBook book = new RuleBook();
  private final RuleReview review = new RuleReview(() -> book);

  private static JsonNode admissionReview(String operation, ObjectNode object) {
    ObjectNode review = EventCodec.json().createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    ObjectNode request = review.putObject("request");
    request.put("uid", "b1d8e0f0-0000-4000-8000-00000000000a").put("operation", operation);
    request.put("namespace", "default").put("name", object.at("/metadata/name").asText());
    request
        .putObject("kind")
        .put("group", "rules.kubeedge.io")
        .put("version", "v1")
        .put("kind", object.path("kind").asText());
    request.set("object", object);
    return review;
  }

  @Test
  void aRuleWhoseEndpointsDoNotExistIsRefusedWithTheReason() {
    ObjectNode rule =
        RuleManifests.rule(
            "default", "r", "rest-in", Map.of("path", "/r"), "mqtt", Map.of("topic", "t"));
    JsonNode answer = review.answer(admissionReview("CREATE", rule));
    assertThat(answer.at("/response/uid").asText())
        .isEqualTo("b1d8e0f0-0000-4000-8000-00000000000a");
    assertThat(answer.at("/response/allowed").asBoolean()).isFalse();
    assertThat(answer.at("/response/status/message").asText())
        .startsWith("Rule r is refused: ")
        .contains("source RuleEndpoint default/rest-in does not exist");

    for (ObjectNode endpoint :
        new ObjectNode[] {
          RuleManifests.endpoint("default", "rest-in", "rest"),
          RuleManifests.endpoint("default", "mqtt", "eventbus")
        }) {
      book.apply(ObjectKey.of(endpoint), endpoint);
    }
    assertThat(review.answer(admissionReview("CREATE", rule)).at("/response/allowed").asBoolean())
        .isTrue();
    assertThat(review.answer(admissionReview("DELETE", rule)).at("/response/allowed").asBoolean())
        .isTrue();
  }
}
