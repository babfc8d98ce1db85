package io.kedge.schemas.twin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The twin messages as KubeEdge's Go types marshal them ({@code DeviceTwinUpdate} of {@code
 * MsgTwin}: {@code expected}, {@code actual}, {@code optional}, {@code metadata}, {@code
 * expected_version}, {@code actual_version}), read by kedge; and kedge's messages in the JSON types
 * those Go types unmarshal (strings for values, int64 for timestamps and versions).
 */
class TwinContractTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** An edge app setting a twin's expected value, every field of KubeEdge's MsgTwin present. */
  private static final String EDGE_APP_UPDATE =
      """
      {"event_id":"5b2d0c6a","timestamp":1733100000000,
       "twin":{"temperature":{
         "expected":{"value":"25","metadata":{"timestamp":1733100000000}},
         "optional":false,
         "metadata":{"type":"int"},
         "expected_version":{"cloud":2,"edge":7}}}}
      """;

  /** A mapper's report, as mappers-go's createActualUpdateMessage builds it. */
  private static final String MAPPER_REPORT =
      """
      {"event_id":"","timestamp":1733100000123,
       "twin":{"temperature":{
         "actual":{"value":"21","metadata":{"timestamp":1733100000120}},
         "optional":true,
         "metadata":{"type":"Updated"},
         "actual_version":{"cloud":0,"edge":12}}}}
      """;

  @Test
  void anEdgeAppsExpectedValueIsReadWhateverVersionsItCarries() {
    byte[] payload = EDGE_APP_UPDATE.getBytes(StandardCharsets.UTF_8);

    assertThat(TwinContract.parseExpected(payload)).containsExactly(Map.entry("temperature", "25"));
    assertThat(TwinContract.parseReport(payload)).isEmpty();
    assertThat(TwinContract.eventId(payload)).isEqualTo("5b2d0c6a");
  }

  @Test
  void aMappersReportIsReadWithItsOwnTimestamp() {
    var reported = TwinContract.parseReport(MAPPER_REPORT.getBytes(StandardCharsets.UTF_8));

    assertThat(reported).containsOnlyKeys("temperature");
    assertThat(reported.get("temperature").value()).isEqualTo("21");
    assertThat(reported.get("temperature").timestampMs()).isEqualTo(1733100000120L);
    assertThat(reported.get("temperature").type()).isEqualTo("Updated");
  }

  @Test
  void aTwinWithNeitherValueNorErrorIsRefusedByName() {
    byte[] payload =
        "{\"twin\":{\"humidity\":{\"metadata\":{\"type\":\"int\"}}}}"
            .getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> TwinContract.parseReport(payload))
        .hasMessageContaining("'humidity'")
        .hasMessageContaining("no actual.value");
  }

  @Test
  void kedgesMessagesHaveTheJsonTypesOfKubeEdgesGoStructs() throws Exception {
    Map<String, TwinContract.Twin> twins =
        Map.of("temperature", new TwinContract.Twin("25", "21", "int"));

    JsonNode delta = JSON.readTree(TwinContract.delta(Map.of("temperature", "25"), twins, 42));
    assertThat(delta.path("event_id").isTextual()).isTrue();
    assertThat(delta.path("timestamp").isIntegralNumber()).isTrue();
    assertThat(delta.path("delta").path("temperature").isTextual()).isTrue();
    JsonNode twin = delta.path("twin").path("temperature");
    assertThat(twin.path("expected").path("value").asText()).isEqualTo("25");
    assertThat(twin.path("expected").path("metadata").path("timestamp").isIntegralNumber())
        .isTrue();
    assertThat(twin.path("actual").path("value").asText()).isEqualTo("21");
    assertThat(twin.path("metadata").path("type").asText()).isEqualTo("int");

    JsonNode document =
        JSON.readTree(
            TwinContract.updateDocument(
                "e1", Map.of(), Map.of("temperature", twins.get("temperature")), 42));
    assertThat(document.path("twin").path("temperature").has("last")).isTrue();
    assertThat(document.path("twin").path("temperature").path("last").isNull()).isTrue();
    assertThat(document.path("twin").path("temperature").path("current").path("actual"))
        .isNotEmpty();

    JsonNode result = JSON.readTree(TwinContract.getResult(twins, "", 42));
    assertThat(result.has("code")).isFalse();
    assertThat(TwinContract.parseTwins(TwinContract.getResult(twins, "", 42))).isEqualTo(twins);
  }
}
