package io.kedge.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import org.junit.jupiter.api.Test;

class StatusWritesTest {
  private static ObjectNode rule(String uid, String target, long count) {
    ObjectNode rule = EventCodec.json().createObjectNode();
    rule.put("apiVersion", "rules.kubeedge.io/v1").put("kind", "Rule");
    ObjectNode metadata = rule.putObject("metadata").put("name", "r").put("namespace", "default");
    if (uid != null) {
      metadata.put("uid", uid);
    }
    rule.putObject("spec").put("target", target);
    rule.putObject("status").put("successMessages", count);
    return rule;
  }

  @Test
  void aStatusWriteTakesOnlyTheStatus() {
    ObjectNode applied = StatusWrites.applied(rule("u1", "new", 1), rule("u1", "old", 7));
    assertThat(applied.at("/spec/target").asText()).isEqualTo("new");
    assertThat(applied.at("/status/successMessages").asLong()).isEqualTo(7);
  }

  @Test
  void aStatusWriteNeverCreatesAndNeverCrossesUids() {
    assertThat(StatusWrites.applied(null, rule("u1", "old", 7))).isNull();
    assertThat(StatusWrites.applied(rule("u2", "new", 0), rule("u1", "old", 7))).isNull();
    // a write that names no uid applies to the object of that name
    assertThat(StatusWrites.applied(rule("u2", "new", 0), rule(null, "old", 7))).isNotNull();
  }

  @Test
  void onlyUpsertsWithTheStatusSubjectAreStatusWrites() {
    ObjectNode rule = rule("u1", "t", 1);
    ResourceUpsert upsert = new ResourceUpsert(ObjectKey.of(rule), "", rule);
    URI source = URI.create("/kedge/test");
    assertThat(StatusWrites.is(KedgeEvent.of(source, StatusWrites.SUBJECT, upsert))).isTrue();
    assertThat(StatusWrites.is(KedgeEvent.of(source, "", upsert))).isFalse();
    assertThat(
            StatusWrites.is(
                KedgeEvent.of(source, StatusWrites.SUBJECT, new ResourceDelete(upsert.key(), ""))))
        .isFalse();
  }
}
