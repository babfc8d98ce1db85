package io.kedge.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Reads the frozen golden sample of each event type and turns it into a Kafka record. */
final class GoldenSamples {
  private GoldenSamples() {}

  static JsonNode sample(EventType type) {
    String path = "/golden/v1/" + type.fileStem() + ".json";
    try (InputStream in = GoldenSamples.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("golden sample " + path + " is missing");
      }
      return EventCodec.readJson(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The {@code ce_*} headers of a sample, as a binary-mode producer would write them. */
  static Headers headers(JsonNode sample) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("ce_specversion", utf8("1.0"));
    sample
        .path("attributes")
        .properties()
        .forEach(
            field -> {
              if (!field.getValue().asText().isEmpty()) {
                headers.add("ce_" + field.getKey(), utf8(field.getValue().asText()));
              }
            });
    headers.add("content-type", utf8(EventCodec.CONTENT_TYPE));
    return headers;
  }

  static byte[] value(JsonNode sample) {
    return sample.path("data").toString().getBytes(StandardCharsets.UTF_8);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
