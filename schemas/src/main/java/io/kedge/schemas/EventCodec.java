package io.kedge.schemas;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.kafka.KafkaMessageFactory;
import io.cloudevents.rw.CloudEventRWException;
import java.io.IOException;
import java.net.URI;
import java.time.OffsetDateTime;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * Encodes kedge events as Kafka records in CloudEvents binary mode ({@code ce_*} headers, JSON
 * value) and decodes them back, validating the envelope and the data schema. Thread-safe.
 */
public final class EventCodec {
  /** The content type of every kedge event's data. */
  public static final String CONTENT_TYPE = "application/json";

  private static final ObjectMapper MAPPER =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).build();

  private final EventSchemas schemas;

  public EventCodec() {
    this(EventSchemas.load());
  }

  EventCodec(EventSchemas schemas) {
    this.schemas = schemas;
  }

  /** The shared JSON mapper for event data and Kubernetes objects. */
  public static ObjectMapper json() {
    return MAPPER;
  }

  /** A producer record for {@code event}, keyed by {@code key}, in binary mode. */
  public ProducerRecord<String, byte[]> toRecord(String topic, String key, KedgeEvent event) {
    return KafkaMessageFactory.<String>createWriter(topic, key).writeBinary(toCloudEvent(event));
  }

  /** Writes {@code event}'s attributes as {@code ce_*} headers and returns the value bytes. */
  public byte[] encode(KedgeEvent event, Headers headers) {
    ProducerRecord<String, byte[]> record = toRecord("unused", null, event);
    record.headers().forEach(headers::add);
    return record.value();
  }

  /** The JSON bytes of {@code data}, as carried in the record value. */
  public byte[] encodeData(EventData data) {
    try {
      return MAPPER.writeValueAsBytes(data);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + data.type().ceType() + " data", e);
    }
  }

  CloudEvent toCloudEvent(KedgeEvent event) {
    CloudEventBuilder builder =
        CloudEventBuilder.v1()
            .withId(event.id())
            .withSource(event.source())
            .withType(event.type().ceType())
            .withTime(event.time())
            .withDataContentType(CONTENT_TYPE)
            .withData(encodeData(event.data()));
    if (!event.subject().isEmpty()) {
      builder.withSubject(event.subject());
    }
    return builder.build();
  }

  /**
   * Decodes and validates a record.
   *
   * @throws InvalidEventException naming the field at fault: a missing or wrong attribute, an
   *     unknown type or major version, unparsable JSON, or data that breaks the type's schema
   */
  public KedgeEvent decode(Headers headers, byte[] value) {
    CloudEvent event;
    try {
      event = KafkaMessageFactory.createReader(headers, value).toEvent();
    } catch (CloudEventRWException | IllegalStateException e) {
      throw new InvalidEventException(
          "envelope", "not a CloudEvents binary-mode record: " + e.getMessage(), e);
    }
    return fromCloudEvent(event);
  }

  KedgeEvent fromCloudEvent(CloudEvent event) {
    if (event.getSpecVersion() != io.cloudevents.SpecVersion.V1) {
      throw new InvalidEventException(
          "envelope", "CloudEvents " + event.getSpecVersion() + " is not 1.0 (ce_specversion)");
    }
    EventType type = EventType.fromCeType(event.getType());
    String contentType = event.getDataContentType();
    if (contentType != null && !contentType.startsWith(CONTENT_TYPE)) {
      throw new InvalidEventException(
          "datacontenttype", "'" + contentType + "' is not " + CONTENT_TYPE);
    }
    String id = event.getId();
    if (id == null || id.isEmpty()) {
      throw new InvalidEventException("id", "is missing");
    }
    URI source = event.getSource();
    OffsetDateTime time = event.getTime();
    if (time == null) {
      throw new InvalidEventException("time", "is missing");
    }
    CloudEventData data = event.getData();
    if (data == null) {
      throw new InvalidEventException("data", "is missing");
    }
    return new KedgeEvent(id, source, event.getSubject(), time, decodeData(type, data.toBytes()));
  }

  /** Parses, validates against the type's schema, and binds {@code data}. */
  public EventData decodeData(EventType type, byte[] bytes) {
    JsonNode tree = parse(bytes);
    schemas.validate(type, tree);
    try {
      return MAPPER.treeToValue(tree, type.dataClass());
    } catch (JsonProcessingException | IllegalArgumentException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new InvalidEventException("data", cause.getMessage(), e);
    }
  }

  private static JsonNode parse(byte[] bytes) {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new InvalidEventException("data", "is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new InvalidEventException("data", "is not readable: " + e.getMessage(), e);
    }
    if (tree == null || tree.isMissingNode()) {
      throw new InvalidEventException("data", "is empty");
    }
    return tree;
  }

  /** Reads a Kubernetes-style JSON document. */
  public static JsonNode readJson(byte[] bytes) throws IOException {
    return MAPPER.readTree(bytes);
  }

  /** The bytes of a JSON tree (which cannot fail to serialize). */
  public static byte[] jsonBytes(JsonNode tree) {
    try {
      return MAPPER.writeValueAsBytes(tree);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
