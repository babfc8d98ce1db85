package io.kedge.edge.relay.twin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.flipkart.zjsonpatch.JsonPatch;
import com.flipkart.zjsonpatch.JsonPatchApplicationException;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.twin.TwinContract.Reported;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the twin bridge writes to a Device's status: only what changed, each twin tested by name.
 */
class StatusPatchTest {
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(2_000), ZoneOffset.UTC);

  private static JsonNode json(String text) throws Exception {
    return EventCodec.json().readTree(text);
  }

  private static JsonNode applied(JsonNode device, ArrayNode patch) {
    return JsonPatch.apply(patch, device);
  }

  @Test
  void aDeviceWithoutStatusGetsTheReportedTwinsAndState() throws Exception {
    JsonNode device = json("{\"metadata\":{\"name\":\"d\"},\"spec\":{}}");
    ArrayNode patch =
        StatusPatch.of(device, Map.of("temp", Reported.value("21", "int", 1_000)), "online");
    JsonNode status = applied(device, patch).path("status");
    assertThat(status.path("state").asText()).isEqualTo("online");
    JsonNode twin = status.path("twins").path(0);
    assertThat(twin.path("propertyName").asText()).isEqualTo("temp");
    assertThat(twin.path("reported").path("value").asText()).isEqualTo("21");
    assertThat(twin.path("reported").path("metadata").path("timestamp").asText()).isEqualTo("1000");
    assertThat(twin.path("reported").path("metadata").path("type").asText()).isEqualTo("int");
  }

  @Test
  void aReportEqualButForItsTimeIsNotWritten() throws Exception {
    JsonNode device =
        json(
            """
            {"status":{"state":"online","twins":[{"propertyName":"temp",
              "reported":{"value":"21","metadata":{"timestamp":"5","type":"int"}}}]}}""");
    assertThat(StatusPatch.of(device, Map.of("temp", Reported.value("21", "int", 9)), "online"))
        .isEmpty();
    // a report may leave its type out: the stored one stands
    assertThat(StatusPatch.of(device, Map.of("temp", Reported.value("21", "", 9)), null)).isEmpty();
    // another value is written
    assertThat(StatusPatch.of(device, Map.of("temp", Reported.value("22", "", 9)), null))
        .isNotEmpty();
  }

  @Test
  void aChangedTwinIsTestedByNameBeforeItsReportedValueIsReplaced() throws Exception {
    JsonNode device =
        json(
            """
            {"status":{"twins":[
              {"propertyName":"a","reported":{"value":"1","metadata":{"timestamp":"1"}}},
              {"propertyName":"b","desired":{"value":"on","metadata":{"timestamp":"1"}},
               "reported":{"value":"off","metadata":{"timestamp":"1"}}}]}}""");
    ArrayNode patch = StatusPatch.of(device, Map.of("b", Reported.value("on", "", 7)), null);
    assertThat(patch.path(0).path("op").asText()).isEqualTo("test");
    assertThat(patch.path(0).path("path").asText()).isEqualTo("/status/twins/1/propertyName");
    JsonNode twin = applied(device, patch).path("status").path("twins").path(1);
    assertThat(twin.path("reported").path("value").asText()).isEqualTo("on");
    assertThat(twin.path("desired").path("value").asText()).as("untouched").isEqualTo("on");

    // the same patch on a list reordered meanwhile fails instead of writing another twin
    JsonNode reordered =
        json("{\"status\":{\"twins\":[{\"propertyName\":\"b\"},{\"propertyName\":\"a\"}]}}");
    assertThatThrownBy(() -> applied(reordered, patch))
        .isInstanceOf(JsonPatchApplicationException.class);
  }

  @Test
  void anEdgeAppsExpectedValueSetsTheDesiredValueAndNewTwinsAreAppended() throws Exception {
    JsonNode device =
        json(
            """
            {"status":{"twins":[{"propertyName":"a",
              "desired":{"value":"1","metadata":{"type":"int","timestamp":"1"}}}]}}""");
    ArrayNode patch =
        StatusPatch.of(
            device,
            Map.of("c", Reported.failure("timeout", "string", 3)),
            null,
            Map.of("a", "2"),
            CLOCK);
    JsonNode twins = applied(device, patch).path("status").path("twins");
    JsonNode desired = twins.path(0).path("desired");
    assertThat(desired.path("value").asText()).isEqualTo("2");
    assertThat(desired.path("metadata").path("type").asText()).isEqualTo("int");
    assertThat(desired.path("metadata").path("timestamp").asText()).isEqualTo("2000");
    assertThat(twins.path(1).path("propertyName").asText()).isEqualTo("c");
    assertThat(twins.path(1).path("reported").path("metadata").path("error").asText())
        .isEqualTo("timeout");
    assertThat(twins.path(1).path("reported").has("value")).isFalse();
    // the expected value already held: nothing to write
    assertThat(StatusPatch.of(device, Map.of(), null, Map.of("a", "1"), CLOCK)).isEmpty();
  }
}
