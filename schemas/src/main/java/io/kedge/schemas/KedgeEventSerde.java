package io.kedge.schemas;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for {@link KedgeEvent} in CloudEvents binary mode: attributes travel in headers, so
 * only the header-aware methods are meaningful. Deserialization validates and throws {@link
 * InvalidEventException} on a malformed event.
 */
public final class KedgeEventSerde implements Serde<KedgeEvent> {
  private final EventCodec codec;

  public KedgeEventSerde(EventCodec codec) {
    this.codec = codec;
  }

  @Override
  public Serializer<KedgeEvent> serializer() {
    return new Serializer<>() {
      @Override
      public byte[] serialize(String topic, KedgeEvent event) {
        throw new IllegalStateException(
            "kedge events need record headers: serialize(topic, headers, event)");
      }

      @Override
      public byte[] serialize(String topic, Headers headers, KedgeEvent event) {
        return event == null ? null : codec.encode(event, headers);
      }
    };
  }

  @Override
  public Deserializer<KedgeEvent> deserializer() {
    return new Deserializer<>() {
      @Override
      public KedgeEvent deserialize(String topic, byte[] data) {
        return deserialize(topic, new RecordHeaders(), data);
      }

      @Override
      public KedgeEvent deserialize(String topic, Headers headers, byte[] data) {
        return data == null ? null : codec.decode(headers, data);
      }
    };
  }
}
