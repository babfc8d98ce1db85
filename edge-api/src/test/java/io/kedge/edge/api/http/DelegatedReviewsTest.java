package io.kedge.edge.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.kedge.edge.api.view.ResourceTypes;
import io.kedge.schemas.EventCodec;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/** A kubelet's token and access reviews, answered for the one identity an edge API knows. */
class DelegatedReviewsTest {
  private static final String TOKEN = "node-token";

  private static DelegatedReviews reviews(String node, List<String> tokens) throws Exception {
    ApiSecurity security = ApiSecurity.of(SSLContext.getDefault(), false, tokens);
    AccessReviews access = new AccessReviews(ResourceTypes.builtIn(), null, security, node);
    return new DelegatedReviews(access, security, node);
  }

  private static JsonNode json(String singleQuoted) throws Exception {
    return EventCodec.json().readTree(singleQuoted.replace('\'', '"'));
  }

  private static JsonNode tokenReview(DelegatedReviews reviews, String spec) throws Exception {
    return reviews.tokenReview(
        json("{'apiVersion':'authentication.k8s.io/v1','kind':'TokenReview','spec':" + spec + "}"));
  }

  @Test
  void theNodesTokensAuthenticateAsTheNode() throws Exception {
    DelegatedReviews reviews = reviews("edge-1", List.of("other", TOKEN));
    JsonNode review = tokenReview(reviews, "{'token':'" + TOKEN + "'}");
    assertThat(review.path("kind").asText()).isEqualTo("TokenReview");
    assertThat(review.path("spec").path("token").asText()).isEqualTo(TOKEN);
    JsonNode status = review.path("status");
    assertThat(status.path("authenticated").asBoolean()).isTrue();
    assertThat(status.path("user").path("username").asText()).isEqualTo("system:node:edge-1");
    assertThat(status.path("user").path("groups"))
        .extracting(JsonNode::asText)
        .containsExactly("system:nodes", "system:authenticated");
  }

  @Test
  void otherTokensAndAudienceBoundReviewsAreNotAuthenticated() throws Exception {
    DelegatedReviews reviews = reviews("edge-1", List.of(TOKEN));
    JsonNode unknown = tokenReview(reviews, "{'token':'guess'}").path("status");
    assertThat(unknown.path("authenticated").asBoolean()).isFalse();
    assertThat(unknown.has("user")).isFalse();
    assertThat(unknown.has("error")).isFalse();
    assertThat(tokenReview(reviews, "{}").path("status").path("authenticated").asBoolean())
        .isFalse();

    JsonNode audiences =
        tokenReview(reviews, "{'token':'" + TOKEN + "','audiences':['https://kubernetes']}")
            .path("status");
    assertThat(audiences.path("authenticated").asBoolean()).isFalse();
    assertThat(audiences.path("error").asText()).contains("no audience", "https://kubernetes");
  }

  @Test
  void anApiWithoutTokensSaysSo() throws Exception {
    DelegatedReviews reviews = reviews("edge-1", List.of());
    JsonNode status = tokenReview(reviews, "{'token':'" + TOKEN + "'}").path("status");
    assertThat(status.path("authenticated").asBoolean()).isFalse();
    assertThat(status.path("error").asText()).contains("edge.api-token-file");
  }

  private static JsonNode access(DelegatedReviews reviews, String spec) throws Exception {
    return reviews
        .subjectAccessReview(
            json(
                "{'apiVersion':'authorization.k8s.io/v1','kind':'SubjectAccessReview','spec':"
                    + spec
                    + "}"))
        .path("status");
  }

  /** What a kubelet asks for {@code GET /metrics} on its port, for {@code user}. */
  private static String kubeletAsks(String user, String subresource, String name) {
    return ("{'user':'%s','groups':['system:authenticated'],'resourceAttributes':"
            + "{'verb':'get','resource':'nodes','subresource':'%s','name':'%s'}}")
        .formatted(user, subresource, name);
  }

  @Test
  void theNodeMayUseItsOwnKubeletsApiOnly() throws Exception {
    DelegatedReviews reviews = reviews("edge-1", List.of(TOKEN));
    for (String subresource : List.of("metrics", "stats", "log", "proxy", "spec", "pods")) {
      JsonNode own = access(reviews, kubeletAsks("system:node:edge-1", subresource, "edge-1"));
      assertThat(own.path("allowed").asBoolean()).as(subresource).isTrue();
    }
    JsonNode other = access(reviews, kubeletAsks("system:node:edge-1", "metrics", "edge-2"));
    assertThat(other.path("allowed").asBoolean()).isFalse();
    assertThat(other.path("reason").asText()).contains("own kubelet", "edge-2");
  }

  @Test
  void theNodeMayElseDoWhatTheEdgeApiAllowsIt() throws Exception {
    DelegatedReviews reviews = reviews("edge-1", List.of(TOKEN));
    JsonNode read =
        access(
            reviews,
            "{'user':'system:node:edge-1','resourceAttributes':{'verb':'list','resource':'pods'}}");
    assertThat(read.path("allowed").asBoolean()).isTrue();
    JsonNode write =
        access(
            reviews,
            "{'user':'system:node:edge-1','resourceAttributes':"
                + "{'verb':'create','resource':'pods','namespace':'default'}}");
    assertThat(write.path("allowed").asBoolean()).isFalse();
    assertThat(write.path("reason").asText()).contains("read-only");
    JsonNode version =
        access(
            reviews,
            "{'user':'system:node:edge-1','nonResourceAttributes':{'verb':'get','path':'/version'}}");
    assertThat(version.path("allowed").asBoolean()).isTrue();
  }

  @Test
  void othersMayDoNothingButSystemMastersMayDoAll() throws Exception {
    DelegatedReviews reviews = reviews("edge-1", List.of(TOKEN));
    JsonNode stranger =
        access(reviews, kubeletAsks("system:serviceaccount:monitoring:prometheus", "metrics", ""));
    assertThat(stranger.path("allowed").asBoolean()).isFalse();
    assertThat(stranger.path("reason").asText())
        .contains("system:node:edge-1", "system:serviceaccount:monitoring:prometheus");
    assertThat(
            access(reviews, kubeletAsks("system:node:edge-2", "metrics", "edge-2"))
                .path("allowed")
                .asBoolean())
        .isFalse();
    JsonNode admin =
        access(
            reviews,
            "{'user':'kube-apiserver-kubelet-client','groups':['system:masters'],"
                + "'resourceAttributes':{'verb':'create','resource':'nodes','subresource':'proxy',"
                + "'name':'edge-1'}}");
    assertThat(admin.path("allowed").asBoolean()).isTrue();
  }

  @Test
  void reviewsKubeApiserverRefusesAreBadRequests() throws Exception {
    DelegatedReviews reviews = reviews("edge-1", List.of(TOKEN));
    assertThatThrownBy(
            () -> access(reviews, "{'resourceAttributes':{'verb':'get','resource':'pods'}}"))
        .hasMessageContaining("spec.user or spec.groups");
    assertThatThrownBy(() -> access(reviews, "{'user':'system:node:edge-1'}"))
        .hasMessageContaining("exactly one of");
    assertThatThrownBy(() -> reviews.tokenReview(json("[]"))).hasMessageContaining("JSON object");
  }
}
