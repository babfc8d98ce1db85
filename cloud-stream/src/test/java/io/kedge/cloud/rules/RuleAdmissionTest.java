package io.kedge.cloud.rules;

import static io.kedge.cloud.rules.RuleObjects.endpoint;
import static io.kedge.cloud.rules.RuleObjects.restToEventbus;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.ObjectKey;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Invalid Rules and RuleEndpoints are refused before they are stored, with the reasons a Rule's
 * status would show, as KubeEdge's admission refuses them.
 */
class RuleAdmissionTest {
  private final RuleBook stored = new RuleBook();

  @BeforeEach
  void holds() {
    for (ObjectNode o :
        List.of(
            endpoint("default", "rest-in", "rest"),
            endpoint("default", "mqtt", "eventbus"),
            restToEventbus("default", "a", "rest-in", "mqtt", "/a", "topic-a"))) {
      stored.apply(ObjectKey.of(o), o);
    }
  }

  @Test
  void aRuleThatWouldRouteIsTaken() {
    assertThat(stored.admit(restToEventbus("default", "b", "rest-in", "mqtt", "/b", "t")))
        .isEmpty();
    // an update of a rule keeps its place: it does not conflict with itself
    assertThat(stored.admit(restToEventbus("default", "a", "rest-in", "mqtt", "/a", "other")))
        .isEmpty();
  }

  @Test
  void whatKubeEdgesAdmissionRefusesIsRefused() {
    assertThat(stored.admit(restToEventbus("default", "c", "rest-in", "nope", "/c", "t")))
        .anyMatch(p -> p.contains("target RuleEndpoint default/nope does not exist"));
    assertThat(stored.admit(restToEventbus("default", "d", "rest-in", "rest-in", "/d", "t")))
        .anyMatch(p -> p.contains("source and target"));
    assertThat(stored.admit(restToEventbus("default", "e", "rest-in", "mqtt", "/a", "t")))
        .anyMatch(p -> p.contains("is already used by rule default/a"));
    ObjectNode noPath = restToEventbus("default", "f", "rest-in", "mqtt", "x", "t");
    assertThat(stored.admit(noPath)).anyMatch(p -> p.contains("must start with '/'"));
    assertThat(stored.admit(endpoint("default", "odd", "smtp")))
        .containsExactly(
            "ruleEndpointType 'smtp' is not one of [cdc, eventbus, kafka, rest, servicebus]");
  }

  @Test
  void objectsAppliedTogetherAreCheckedBesideEachOther() {
    var refused =
        RuleAdmission.refusals(
            stored,
            List.of(
                restToEventbus("default", "g", "rest-new", "mqtt", "/g", "t"),
                restToEventbus("default", "h", "rest-new", "mqtt", "/g", "t2"),
                endpoint("default", "rest-new", "rest")));
    assertThat(refused.keySet()).containsExactly("Rule default/h");
    assertThat(refused.get("Rule default/h"))
        .anyMatch(p -> p.contains("already used by rule default/g"));
    assertThat(stored.route("default", "g")).as("nothing applied to the stored book").isEmpty();
  }
}
