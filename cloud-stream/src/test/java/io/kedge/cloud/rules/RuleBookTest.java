package io.kedge.cloud.rules;

import static io.kedge.cloud.rules.RuleObjects.endpoint;
import static io.kedge.cloud.rules.RuleObjects.eventbusToRest;
import static io.kedge.cloud.rules.RuleObjects.node;
import static io.kedge.cloud.rules.RuleObjects.restToEventbus;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.ObjectKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RuleBookTest {
  private final RuleBook book = new RuleBook();

  private void apply(ObjectNode object) {
    book.apply(ObjectKey.of(object), object);
  }

  @BeforeEach
  void endpoints() {
    apply(endpoint("default", "rest-in", "rest"));
    apply(endpoint("default", "mqtt", "eventbus"));
    apply(endpoint("default", "rest-out", "rest"));
    apply(node("edge-1"));
  }

  @Test
  void aReaderWaitingForChangedRulesWakesWhenOneIsApplied() throws Exception {
    long seen = book.generation();
    // nothing changes: the wait ends at its timeout, with the same generation
    assertThat(book.awaitChange(seen, java.time.Duration.ofMillis(50))).isEqualTo(seen);
    var waiter =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                return book.awaitChange(seen, java.time.Duration.ofMinutes(1));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    apply(restToEventbus("default", "a", "rest-in", "mqtt", "/a", "topic-a"));
    assertThat(waiter.get(30, java.util.concurrent.TimeUnit.SECONDS)).isGreaterThan(seen);
  }

  @Test
  void restPathsMatchAsKubeEdgeMatchesThemAnchoredAtSegments() {
    apply(restToEventbus("default", "a", "rest-in", "mqtt", "/a", "topic-a"));
    apply(restToEventbus("default", "ab", "rest-in", "mqtt", "/a/b", "topic-ab"));
    apply(restToEventbus("default", "dev", "rest-in", "mqtt", "/devices/{id}/cmd", "cmd"));
    // KubeEdge's own path table (cloud/pkg/router/utils/path_test.go), anchored
    assertThat(route("/a")).isEqualTo("a ''");
    assertThat(route("/a/")).isEqualTo("a ''");
    assertThat(route("/a/x/y")).isEqualTo("a '/x/y'");
    assertThat(route("/a/b")).as("the more specific rule").isEqualTo("ab ''");
    assertThat(route("/a/b/c")).isEqualTo("ab '/c'");
    assertThat(route("/devices/press-1/cmd/stop")).isEqualTo("dev '/stop'");
    assertThat(route("/devices/press-1/other")).isEqualTo("none");
    assertThat(route("/ab")).as("KubeEdge's unanchored regex matched this").isEqualTo("none");
    assertThat(book.restRoute("other", "/a")).isEmpty();
    assertThat(
            book.restRoute("default", "/a")
                .orElseThrow()
                .route()
                .targetResource()
                .path("topic")
                .asText())
        .isEqualTo("topic-a");
    assertThat(RestPaths.join("topic-a", "/x/y")).isEqualTo("topic-a/x/y");
    assertThat(RestPaths.join("topic-a/", "/x")).isEqualTo("topic-a/x");
    assertThat(RestPaths.join("/svc/api", "")).isEqualTo("/svc/api");
  }

  private String route(String path) {
    return book.restRoute("default", path)
        .map(r -> r.route().name() + " '" + r.subPath() + "'")
        .orElse("none");
  }

  @Test
  void aStatusWriteChangesTheStatusOfTheRuleHereAndNeverBringsADeletedOneBack() {
    var rule = restToEventbus("default", "a", "rest-in", "mqtt", "/a", "topic-a");
    apply(rule);
    // the counters' write, from a copy read before the user changed the rule's path
    var counted = rule.deepCopy();
    counted.putObject("status").put("successMessages", 3).put("failMessages", 0);
    var changed = rule.deepCopy();
    changed.withObject("spec").withObject("sourceResource").put("path", "/b");
    apply(changed);
    book.applyStatus(ObjectKey.of(counted), counted);
    var kept = book.rule("default", "a").orElseThrow();
    assertThat(kept.at("/status/successMessages").asLong()).isEqualTo(3);
    assertThat(kept.at("/spec/sourceResource/path").asText()).isEqualTo("/b");

    book.apply(ObjectKey.of(rule), null);
    book.applyStatus(ObjectKey.of(counted), counted);
    assertThat(book.rule("default", "a")).isEmpty();
  }

  @Test
  void aRuleReadBackWithOlderCountsKeepsTheHigherOnes() {
    var rule = restToEventbus("default", "a", "rest-in", "mqtt", "/a", "topic-a");
    rule.putObject("status").put("successMessages", 7).put("failMessages", 1);
    apply(rule);
    var readBack = rule.deepCopy();
    readBack.withObject("spec").put("target", "mqtt");
    readBack.putObject("status").put("successMessages", 5).put("failMessages", 0);
    apply(readBack);
    var kept = book.rule("default", "a").orElseThrow();
    assertThat(kept.at("/status/successMessages").asLong()).isEqualTo(7);
    assertThat(kept.at("/status/failMessages").asLong()).isEqualTo(1);
    var newer = rule.deepCopy();
    newer.putObject("status").put("successMessages", 9).put("failMessages", 1);
    apply(newer);
    assertThat(book.rule("default", "a").orElseThrow().at("/status/successMessages").asLong())
        .isEqualTo(9);
  }

  @Test
  void eventbusRoutesMatchNodeAndNamespacedTopic() {
    apply(eventbusToRest("default", "t", "mqtt", "rest-out", "temp", "edge-1", "http://h/x"));
    assertThat(book.eventbusRoutes("edge-1", "default/temp")).hasSize(1);
    assertThat(book.eventbusRoutes("edge-2", "default/temp")).isEmpty();
    assertThat(book.eventbusRoutes("edge-1", "temp")).isEmpty();
  }

  @Test
  void invalidRulesCarryTheirErrorsAndDoNotRoute() {
    apply(restToEventbus("default", "no-endpoint", "nope", "mqtt", "/x", "t"));
    apply(restToEventbus("default", "same-type", "rest-in", "rest-out", "/y", "t"));
    apply(eventbusToRest("default", "bad-url", "mqtt", "rest-out", "temp", "edge-1", "ftp://h"));
    apply(eventbusToRest("default", "no-host", "mqtt", "rest-out", "t2", "edge-1", "http:///x"));
    apply(eventbusToRest("default", "spaced", "mqtt", "rest-out", "t3", "edge-1", "http://a b/"));
    apply(restToEventbus("default", "bad-path", "rest-in", "mqtt", "z", "t"));
    assertThat(book.errors().get("default/no-endpoint"))
        .containsExactly("source RuleEndpoint default/nope does not exist");
    assertThat(book.errors().get("default/same-type"))
        .contains("source and target endpoints are both of type rest");
    assertThat(book.errors().get("default/bad-url").get(0))
        .contains("targetResource.resource must be an http(s) URL");
    assertThat(book.errors().get("default/no-host").get(0))
        .contains("targetResource.resource must be an http(s) URL with a host");
    assertThat(book.errors().get("default/spaced").get(0))
        .contains("targetResource.resource must be an http(s) URL with a host");
    assertThat(book.eventbusRoutes("edge-1", "default/t3")).isEmpty();
    assertThat(book.errors().get("default/bad-path").get(0)).contains("must start with '/'");
    assertThat(book.restRoute("default", "/x")).isEmpty();
  }

  @Test
  void aSourceBelongsToTheOldestRuleAndUpdatesAndDeletesApply() {
    ObjectNode first = restToEventbus("default", "first", "rest-in", "mqtt", "/p", "t1");
    first.withObject("metadata").put("creationTimestamp", "2026-01-01T00:00:00Z");
    ObjectNode second = restToEventbus("default", "second", "rest-in", "mqtt", "/p", "t2");
    second.withObject("metadata").put("creationTimestamp", "2026-02-01T00:00:00Z");
    apply(second);
    apply(first);
    assertThat(book.restRoute("default", "/p").orElseThrow().route().name()).isEqualTo("first");
    assertThat(book.errors().get("default/second").get(0))
        .contains("already used by rule default/first");

    ObjectNode updated = restToEventbus("default", "first", "rest-in", "mqtt", "/q", "t1");
    updated.withObject("metadata").put("creationTimestamp", "2026-01-01T00:00:00Z");
    apply(updated); // KubeEdge forbids updates; kedge applies them
    assertThat(book.restRoute("default", "/q").orElseThrow().route().name()).isEqualTo("first");
    assertThat(book.restRoute("default", "/p").orElseThrow().route().name()).isEqualTo("second");

    book.apply(ObjectKey.of(updated), null);
    assertThat(book.restRoute("default", "/q")).isEmpty();
    assertThat(book.nodeExists("edge-1")).isTrue();
    book.apply(ObjectKey.of(node("edge-1")), null);
    assertThat(book.nodeExists("edge-1")).isFalse();
  }
}
