package io.kedge.cloud.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.cloud.rules.RuleBook;
import io.kedge.schemas.EventCodec;
import java.util.List;
import java.util.function.Supplier;

/**
 * The validating webhook of Rules and RuleEndpoints ({@code POST /rules}), as KubeEdge's admission
 * validates them: a CREATE or UPDATE that would not route (an endpoint missing, both of one type,
 * resources incomplete, a source another rule owns) is refused with the reasons, which {@code
 * kubectl} prints; everything else is allowed.
 */
public final class RuleReview implements AdmissionReviewer {
  public static final String PATH = "/rules";

  private final Supplier<RuleBook> book;

  /**
   * @param book the rules, endpoints and nodes the cloud holds now
   */
  public RuleReview(Supplier<RuleBook> book) {
    this.book = book;
  }

  @Override
  public ObjectNode answer(JsonNode review) {
    JsonNode request = OfflineMigrationReview.request(review);
    ObjectNode answer = OfflineMigrationReview.allowed(request);
    String operation = request.path("operation").asText("");
    JsonNode object = request.path("object");
    boolean ours = "rules.kubeedge.io".equals(request.path("kind").path("group").asText());
    if (!ours
        || !(operation.equals("CREATE") || operation.equals("UPDATE"))
        || !object.isObject()) {
      return answer;
    }
    ObjectNode candidate = ((ObjectNode) object).deepCopy();
    if (candidate.path("metadata").path("namespace").asText("").isEmpty()) {
      candidate.withObject("metadata").put("namespace", request.path("namespace").asText(""));
    }
    List<String> problems = book.get().admit(candidate);
    if (!problems.isEmpty()) {
      ObjectNode response = (ObjectNode) answer.path("response");
      response.put("allowed", false);
      ObjectNode status = EventCodec.json().createObjectNode();
      status.put("code", 400).put("reason", "BadRequest");
      status.put(
          "message",
          request.path("kind").path("kind").asText()
              + " "
              + candidate.path("metadata").path("name").asText()
              + " is refused: "
              + String.join("; ", problems));
      response.set("status", status);
    }
    return answer;
  }
}
