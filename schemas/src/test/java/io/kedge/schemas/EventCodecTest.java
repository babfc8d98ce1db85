package io.kedge.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class EventCodecTest {
  private static final URI SOURCE = URI.create("/kedge/test");
  private final EventCodec codec = new EventCodec();

  private static ObjectNode pod(String name, String node) {
    ObjectNode pod = EventCodec.json().createObjectNode();
    pod.put("apiVersion", "v1").put("kind", "Pod");
    pod.putObject("metadata").put("name", name).put("namespace", "default");
    pod.putObject("spec").put("nodeName", node);
    pod.putObject("x-crd-extension").put("kept", true);
    return pod;
  }

  @Test
  void resourceUpsertRoundTripsInBinaryModeWithUnknownFieldsKept() {
    ObjectNode pod = pod("web-0", "edge-1");
    KedgeEvent event =
        KedgeEvent.of(SOURCE, "key", new ResourceUpsert(ObjectKey.of(pod), "17", pod));

    ProducerRecord<String, byte[]> record = codec.toRecord("kedge.resources", "k", event);

    assertThat(header(record.headers(), "ce_type")).isEqualTo("io.kedge.resource.upsert.v1");
    assertThat(header(record.headers(), "ce_specversion")).isEqualTo("1.0");
    assertThat(header(record.headers(), "ce_id")).isEqualTo(event.id());
    KedgeEvent decoded = codec.decode(record.headers(), record.value());
    assertThat(decoded).isEqualTo(event);
    assertThat(decoded.dataAs(ResourceUpsert.class).object().path("x-crd-extension"))
        .isEqualTo(pod.path("x-crd-extension"));
  }

  @Test
  void everyTypeRoundTrips() {
    JsonNode status = EventCodec.json().createObjectNode().put("kind", "Status").put("code", 404);
    ObjectKey key = ObjectKey.parse("/v1/Pod/default/web-0");
    EventData[] all = {
      new ResourceUpsert(key, "1", pod("web-0", "edge-1")),
      new ResourceDelete(key, "2"),
      new ResyncRequest("edge-1", "r1", "gap"),
      new ResyncBegin("r1"),
      new ResyncEnd("r1", 42),
      new WriteRequest(
          "w1",
          "edge-1",
          WriteOperation.CREATE,
          key,
          "",
          "",
          pod("web-0", "edge-1"),
          "",
          true,
          "kubectl"),
      new WriteResponse("w1", 404, status),
      new RuleMessage(
          "m1",
          "edge-1",
          "default",
          "r",
          "eventbus",
          "a/b",
          Map.of("h", "v"),
          new byte[] {0, 1, 2, (byte) 255}),
      new RuleResponse("m1", "edge-1", 200, Map.of("Content-Type", "text/plain"), new byte[] {1}),
      new EventbusMessage("edge-1-7", "edge-1", "default/t", "hi".getBytes(StandardCharsets.UTF_8)),
      new TwinReport(
          "edge-1",
          "default",
          "d1",
          5L,
          Map.of("temperature", new TwinReport.ReportedValue("25.5", "double", 5L))),
      new DeviceState("edge-1", "default", "d1", DeviceState.State.ONLINE, 5L),
      new NodeHeartbeat(
          "edge-1", 10L, 1L, "0.1.0", "CONNECTED", 41L, 43L, 0L, 1L << 30, 1L << 29, 7L),
      new ReferrerNodes("/PersistentVolumeClaim/default/data", List.of("edge-1", "edge-2"))
    };
    assertThat(all).extracting(EventData::type).containsExactly(EventType.values());
    List<EventData> parts = List.of(new ResyncBegin("r1", 2, 6), new ResyncEnd("r1", 42, 5, 6));
    for (EventData data : Stream.concat(Stream.of(all), parts.stream()).toList()) {
      KedgeEvent event = KedgeEvent.of(SOURCE, "", data);
      Headers headers = new RecordHeaders();
      byte[] value = codec.encode(event, headers);
      KedgeEvent decoded = codec.decode(headers, value);
      assertThat(codec.encodeData(decoded.data()))
          .as(data.type().ceType())
          .isEqualTo(codec.encodeData(data));
    }
  }

  @Test
  void decodeRejectsABadEnvelopeOrData() {
    String[][] mutations = {
      {"ce_type", "io.kedge.unknown.v1"},
      {"ce_type", "io.kedge.resource.delete.v2"},
      {"ce_time", null},
      {"ce_time", "yesterday"},
      {"ce_id", null},
      {"ce_source", null},
      {"ce_specversion", "0.3"},
      {"content-type", "text/plain"},
    };
    byte[] value = "{\"key\":\"/v1/Pod/default/p\"}".getBytes(StandardCharsets.UTF_8);
    for (String[] mutation : mutations) {
      Headers headers = validDeleteHeaders();
      headers.remove(mutation[0]);
      if (mutation[1] != null) {
        headers.add(mutation[0], mutation[1].getBytes(StandardCharsets.UTF_8));
      }
      assertThatThrownBy(() -> codec.decode(headers, value))
          .as("decode with %s=%s", mutation[0], mutation[1])
          .isInstanceOf(InvalidEventException.class);
    }
    assertThat(codec.decode(validDeleteHeaders(), value).data().type())
        .isEqualTo(EventType.RESOURCE_DELETE);
    assertThatThrownBy(
            () -> codec.decode(validDeleteHeaders(), "{not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(
            () ->
                codec.decode(validDeleteHeaders(), "{\"key\":7}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidEventException.class);
  }

  @Test
  void rejectsRecordWithoutCloudEventsHeaders() {
    assertThatThrownBy(
            () -> codec.decode(new RecordHeaders(), "{}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(
            InvalidEventException.class, e -> assertThat(e.field()).isEqualTo("envelope"));
  }

  @Test
  void rejectsUnknownTypeAndUnknownMajorVersion() {
    assertThatThrownBy(() -> decodeWith("ce_type", "io.kedge.unknown.v1"))
        .isInstanceOfSatisfying(
            InvalidEventException.class,
            e -> {
              assertThat(e.field()).isEqualTo("type");
              assertThat(e.reason()).contains("not a kedge event type");
            });
    assertThatThrownBy(() -> decodeWith("ce_type", "io.kedge.resource.delete.v2"))
        .isInstanceOfSatisfying(
            InvalidEventException.class,
            e -> assertThat(e.reason()).contains("major version 2").contains("only v1"));
    assertThatThrownBy(() -> decodeWith("ce_type", "io.kedge.resource.delete"))
        .isInstanceOfSatisfying(
            InvalidEventException.class, e -> assertThat(e.reason()).contains("no major version"));
  }

  @Test
  void rejectsMissingTimeAndWrongContentType() {
    assertThatThrownBy(() -> decodeWith("ce_time", null))
        .isInstanceOfSatisfying(
            InvalidEventException.class, e -> assertThat(e.field()).isEqualTo("time"));
    assertThatThrownBy(() -> decodeWith("content-type", "text/plain"))
        .isInstanceOfSatisfying(
            InvalidEventException.class, e -> assertThat(e.field()).isEqualTo("datacontenttype"));
  }

  @Test
  void rejectsDataThatIsNotJson() {
    Headers headers = validDeleteHeaders();
    assertThatThrownBy(() -> codec.decode(headers, "{not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(
            InvalidEventException.class,
            e -> {
              assertThat(e.field()).isEqualTo("data");
              assertThat(e.reason()).contains("not valid JSON");
            });
  }

  @Test
  void namesTheMissingRequiredField() {
    assertDataRejected(
        EventType.RESOURCE_UPSERT,
        "{\"key\":\"/v1/Pod/default/p\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{}}}",
        "data.object.metadata.name");
    assertDataRejected(EventType.RESYNC_END, "{\"requestId\":\"r\"}", "data.objectCount");
  }

  @Test
  void namesTheFieldWithAWrongValue() {
    assertDataRejected(EventType.RESOURCE_DELETE, "{\"key\":\"not-a-key\"}", "data.key");
    assertDataRejected(
        EventType.DEVICE_STATE,
        "{\"node\":\"edge-1\",\"deviceId\":\"d\",\"state\":\"OK\",\"timestampMs\":1}",
        "data.state");
    assertDataRejected(
        EventType.RESYNC_REQUEST, "{\"node\":\"Edge_1\",\"requestId\":\"r\"}", "data.node");
    assertDataRejected(
        EventType.RESYNC_END, "{\"requestId\":\"r\",\"objectCount\":-1}", "data.objectCount");
    assertDataRejected(
        EventType.WRITE_RESPONSE, "{\"requestId\":\"r\",\"code\":42,\"body\":{}}", "data.code");
    assertDataRejected(EventType.RESYNC_BEGIN, "{\"requestId\":\"r\",\"extra\":1}", "data");
  }

  private void assertDataRejected(EventType type, String json, String field) {
    assertThatThrownBy(() -> codec.decodeData(type, json.getBytes(StandardCharsets.UTF_8)))
        .as(json)
        .isInstanceOfSatisfying(
            InvalidEventException.class,
            e -> {
              assertThat(e.field()).isEqualTo(field);
              assertThat(e.getMessage()).startsWith(field + ": ").contains(type.ceType());
            });
  }

  private Headers validDeleteHeaders() {
    KedgeEvent event =
        KedgeEvent.of(SOURCE, "", new ResourceDelete(ObjectKey.parse("/v1/Pod/default/p"), ""));
    Headers headers = new RecordHeaders();
    codec.encode(event, headers);
    return headers;
  }

  private KedgeEvent decodeWith(String header, String value) {
    Headers headers = validDeleteHeaders();
    headers.remove(header);
    if (value != null) {
      headers.add(header, value.getBytes(StandardCharsets.UTF_8));
    }
    return codec.decode(
        headers, "{\"key\":\"/v1/Pod/default/p\"}".getBytes(StandardCharsets.UTF_8));
  }

  private static String header(Headers headers, String key) {
    return new String(headers.lastHeader(key).value(), StandardCharsets.UTF_8);
  }
}
