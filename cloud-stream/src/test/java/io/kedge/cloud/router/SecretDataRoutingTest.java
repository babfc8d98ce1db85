package io.kedge.cloud.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ResourceUpsert;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A Secret written with {@code stringData} (a manifest) reaches its node with it in data. */
class SecretDataRoutingTest extends RouterTestBase {
  @Test
  void stringDataIsFoldedIntoDataBeforeTheNodeGetsTheSecret() {
    upsert(node("edge-1"));
    ObjectNode secret = object("v1", "Secret", "default", "db");
    secret.putObject("data").put("user", "YWRtaW4=").put("password", "b2xk");
    secret.putObject("stringData").put("password", "s3cr3t");
    upsert(secret);
    ObjectNode pod = pod("app", "edge-1");
    pod.withObject("spec")
        .withArray("volumes")
        .addObject()
        .put("name", "db")
        .putObject("secret")
        .put("secretName", "db");
    upsert(pod);

    List<KedgeEvent> routed = events("edge-1");
    ObjectNode delivered =
        routed.stream()
            .map(e -> ((ResourceUpsert) e.data()).object())
            .filter(o -> o.path("kind").asText().equals("Secret"))
            .findFirst()
            .orElseThrow();
    assertThat(delivered.has("stringData")).isFalse();
    assertThat(delivered.at("/data/user").asText()).isEqualTo("YWRtaW4=");
    assertThat(delivered.at("/data/password").asText()).isEqualTo("czNjcjN0"); // s3cr3t
  }
}
