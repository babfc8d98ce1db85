package io.kedge.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Backward compatibility: the golden samples under {@code src/test/resources/golden/v1} were
 * written by v1 writers and are never edited. Every reader must still decode them, and must write
 * back the same data, so no field is lost between versions.
 */
class GoldenCompatibilityTest {
  private final EventCodec codec = new EventCodec();

  @ParameterizedTest
  @EnumSource(EventType.class)
  void goldenSampleDecodesAndRoundTripsWithoutLoss(EventType type) {
    JsonNode sample = GoldenSamples.sample(type);

    KedgeEvent event = codec.decode(GoldenSamples.headers(sample), GoldenSamples.value(sample));

    assertThat(event.type()).isEqualTo(type);
    assertThat(event.id()).isEqualTo(sample.path("attributes").path("id").asText());
    assertThat(event.subject()).isEqualTo(sample.path("attributes").path("subject").asText());
    JsonNode rewritten = readJson(codec.encode(event, new RecordHeaders()));
    assertThat(rewritten).isEqualTo(sample.path("data"));
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void everyTypeHasASchemaAndASample(EventType type) {
    assertThat(EventSchemas.class.getResource(type.schemaResource())).isNotNull();
    assertThat(GoldenSamples.sample(type).path("attributes").path("type").asText())
        .isEqualTo(type.ceType());
  }

  private static JsonNode readJson(byte[] bytes) {
    try {
      return EventCodec.readJson(bytes);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
