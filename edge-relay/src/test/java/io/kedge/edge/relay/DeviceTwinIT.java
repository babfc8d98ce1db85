package io.kedge.edge.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.view.View;
import io.kedge.runtime.mqtt.MqttClients;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.schemas.WriteRequest;
import io.kedge.schemas.twin.TwinContract;
import io.kedge.schemas.twin.TwinContract.Reported;
import io.kedge.testkit.TestNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.Test;

/**
 * The device-twin bridge against the node's real MQTT broker and a real Kafka: reports become
 * Device status writes (forwarded upstream; applied locally because no cloud answers here, as
 * offline), desired values become deltas, twin/get is answered, bad messages are rejected.
 */
class DeviceTwinIT extends RelayTestBase {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void reportsDeltasAndGets() throws Exception {
    try (EdgeNode edge = startEdge(Map.of("edge.write-timeout", "1s"))) {
      List<String[]> messages = new CopyOnWriteArrayList<>();
      MqttClient mapper = connected(edge, "$hw/events/device/+/twin/#", messages);

      // a desired value not yet reported -> one delta to the mapper
      send(deviceUpsert(device("thermostat", "25", null)));
      Awaitility.await("delta")
          .atMost(Duration.ofSeconds(30))
          .until(() -> find(messages, "/thermostat/twin/update/delta").isPresent());
      JsonNode delta = JSON.readTree(find(messages, "/thermostat/twin/update/delta").get());
      assertThat(delta.path("delta").path("setpoint").asText()).isEqualTo("25");
      assertThat(delta.path("twin").path("setpoint").path("expected").path("value").asText())
          .isEqualTo("25");

      // a report -> status.twins[].reported, with plain string value and metadata
      publish(
          mapper,
          TwinContract.twinUpdate("thermostat"),
          TwinContract.report(
              Map.of(
                  "setpoint", Reported.value("25", "int", 1_000),
                  "temperature", Reported.value("21.5", "double", 1_000)),
              1_000));
      publish(mapper, TwinContract.stateUpdate("thermostat"), TwinContract.state("online", 1_000));
      Awaitility.await("reported values in the VIEW")
          .atMost(Duration.ofSeconds(30))
          .until(() -> reported(edge.view(), "temperature").equals("21.5"));
      assertThat(reported(edge.view(), "setpoint")).isEqualTo("25");
      Awaitility.await("state in the VIEW")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  deviceObject(edge.view()).path("status").path("state").asText().equals("online"));
      JsonNode setpoint = twin(edge.view(), "setpoint");
      assertThat(setpoint.path("desired").path("value").asText())
          .as("desired untouched")
          .isEqualTo("25");
      assertThat(setpoint.path("reported").path("metadata").path("type").asText()).isEqualTo("int");

      // the writes went upstream as edge-owned status patches
      List<WriteRequest> writes = new ArrayList<>();
      try (KafkaConsumer<String, byte[]> upstream = upstreamConsumer()) {
        Awaitility.await("status writes upstream")
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  for (ConsumerRecord<String, byte[]> r : upstream.poll(Duration.ofMillis(200))) {
                    if (codec.decode(r.headers(), r.value()).data() instanceof WriteRequest w) {
                      writes.add(w);
                    }
                  }
                  return writes.size() >= 2;
                });
      }
      assertThat(writes)
          .allSatisfy(
              w -> {
                assertThat(w.subresource()).isEqualTo("status");
                assertThat(w.key().name()).isEqualTo("thermostat");
                assertThat(w.patchType()).isEqualTo("application/json-patch+json");
              });

      // the same values again change nothing: no further write
      long writesBefore = edge.twins().statusWriteCount() + edge.twins().failedWriteCount();
      publish(
          mapper,
          TwinContract.twinUpdate("thermostat"),
          TwinContract.report(
              Map.of("temperature", Reported.value("21.5", "double", 2_000)), 2_000));
      Awaitility.await("report counted").until(() -> edge.twins().reportCount() >= 2);
      Awaitility.await("no write for an unchanged value")
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  edge.twins().statusWriteCount() + edge.twins().failedWriteCount()
                      == writesBefore);

      // twin/get is answered from the VIEW
      publish(mapper, TwinContract.twinGet("thermostat"), TwinContract.get(3_000));
      Awaitility.await("get result")
          .atMost(Duration.ofSeconds(30))
          .until(() -> find(messages, "/thermostat/twin/get/result").isPresent());
      var twins =
          TwinContract.parseTwins(
              find(messages, "/thermostat/twin/get/result").get().getBytes(StandardCharsets.UTF_8));
      assertThat(twins.get("temperature").actual()).isEqualTo("21.5");
      assertThat(twins.get("setpoint").expected()).isEqualTo("25");

      // a desired change made in the cloud -> a new delta with only that property
      messages.clear();
      send(deviceUpsert(withReported(deviceObject(edge.view()), "40")));
      Awaitility.await("second delta")
          .atMost(Duration.ofSeconds(30))
          .until(() -> find(messages, "/thermostat/twin/update/delta").isPresent());
      assertThat(
              JSON.readTree(find(messages, "/thermostat/twin/update/delta").get())
                  .path("delta")
                  .properties())
          .hasSize(1);

      // bad input is counted and logged, the bridge keeps working
      publish(
          mapper,
          TwinContract.twinUpdate("thermostat"),
          "not json".getBytes(StandardCharsets.UTF_8));
      publish(
          mapper,
          TwinContract.twinUpdate("no-such-device"),
          TwinContract.report(Map.of("x", Reported.value("1", "int", 1)), 1));
      Awaitility.await("two rejected")
          .atMost(Duration.ofSeconds(30))
          .until(() -> edge.twins().rejectedCount() >= 2);
      publish(mapper, TwinContract.twinGet("no-such-device"), TwinContract.get(1));
      Awaitility.await("unknown device answered")
          .atMost(Duration.ofSeconds(30))
          .until(() -> find(messages, "/no-such-device/twin/get/result").isPresent());
      assertThat(find(messages, "/no-such-device/twin/get/result").get()).contains("404");
      mapper.disconnect();
      mapper.close();
    }
  }

  /**
   * An edge app written for KubeEdge's edgecore, with the payloads edgecore's own sources build:
   * membership announcements and queries, and the result and document of each update.
   */
  @Test
  void edgeAppsGetKubeEdgesMembershipAndResultMessages() throws Exception {
    try (EdgeNode edge = startEdge(Map.of("edge.write-timeout", "1s"))) {
      List<String[]> messages = new CopyOnWriteArrayList<>();
      MqttClient app = connected(edge, "$hw/events/#", messages);
      String members = "$hw/events/node/" + NODE + "/membership/";

      send(deviceUpsert(device("thermostat", "25", null)));
      Awaitility.await("membership/updated announces the device")
          .atMost(Duration.ofSeconds(30))
          .until(() -> find(messages, members + "updated").isPresent());
      JsonNode added = JSON.readTree(find(messages, members + "updated").get());
      assertThat(added.at("/added_devices/0/id").asText()).isEqualTo("thermostat");
      assertThat(added.at("/added_devices/0/twin/setpoint/expected/value").asText())
          .isEqualTo("25");
      assertThat(added.path("removed_devices").size()).isZero();

      publish(
          app,
          members + "get",
          "{\"event_id\":\"m-1\",\"timestamp\":1}".getBytes(StandardCharsets.UTF_8));
      Awaitility.await("membership/get/result")
          .atMost(Duration.ofSeconds(30))
          .until(() -> find(messages, members + "get/result").isPresent());
      JsonNode listed = JSON.readTree(find(messages, members + "get/result").get());
      assertThat(listed.path("event_id").asText()).isEqualTo("m-1");
      assertThat(listed.at("/devices/0/id").asText()).isEqualTo("thermostat");

      publish(
          app,
          TwinContract.twinUpdate("thermostat"),
          ("{\"event_id\":\"u-1\",\"timestamp\":2,\"twin\":{\"setpoint\":"
                  + "{\"actual\":{\"value\":\"24\"},\"metadata\":{\"type\":\"int\"}}}}")
              .getBytes(StandardCharsets.UTF_8));
      Awaitility.await("twin/update/result and document")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  find(messages, "/thermostat/twin/update/result").isPresent()
                      && find(messages, "/thermostat/twin/update/document").isPresent());
      JsonNode result = JSON.readTree(find(messages, "/thermostat/twin/update/result").get());
      assertThat(result.path("event_id").asText()).isEqualTo("u-1");
      assertThat(result.at("/twin/setpoint/actual/value").asText()).isEqualTo("24");
      JsonNode document = JSON.readTree(find(messages, "/thermostat/twin/update/document").get());
      assertThat(document.at("/twin/setpoint/last/expected/value").asText()).isEqualTo("25");
      assertThat(document.at("/twin/setpoint/last/actual").isMissingNode()).isTrue();
      assertThat(document.at("/twin/setpoint/current/actual/value").asText()).isEqualTo("24");

      publish(
          app,
          TwinContract.stateUpdate("thermostat"),
          "{\"event_id\":\"s-1\",\"timestamp\":3,\"state\":\"online\"}"
              .getBytes(StandardCharsets.UTF_8));
      Awaitility.await("state/update/result")
          .atMost(Duration.ofSeconds(30))
          .until(() -> find(messages, "/thermostat/state/update/result").isPresent());
      JsonNode state = JSON.readTree(find(messages, "/thermostat/state/update/result").get());
      assertThat(state.path("event_id").asText()).isEqualTo("s-1");
      assertThat(state.at("/device/name").asText()).isEqualTo("thermostat");
      assertThat(state.at("/device/state").asText()).isEqualTo("online");
      assertThat(state.at("/device/last_online").asText())
          .matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d");

      // an edge app sets the expected value: the Device's desired value, and a delta to the mapper
      publish(
          app,
          TwinContract.twinUpdate("thermostat"),
          "{\"event_id\":\"x-1\",\"timestamp\":4,\"twin\":{\"setpoint\":{\"expected\":{\"value\":\"30\"}}}}"
              .getBytes(StandardCharsets.UTF_8));
      Awaitility.await("desired value set from the edge")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  twin(edge.view(), "setpoint")
                      .path("desired")
                      .path("value")
                      .asText()
                      .equals("30"));
      assertThat(
              twin(edge.view(), "setpoint").path("desired").path("metadata").path("type").asText())
          .as("the desired value keeps its type")
          .isEqualTo("int");
      Awaitility.await("a delta with the new expected value")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  find(messages, "/thermostat/twin/update/delta")
                      .map(d -> d.contains("\"setpoint\":\"30\""))
                      .orElse(false));

      messages.clear();
      send(new io.kedge.schemas.ResourceDelete(ObjectKey.of(device("thermostat", "25", null)), ""));
      Awaitility.await("membership/updated announces the removal")
          .atMost(Duration.ofSeconds(30))
          .until(() -> find(messages, members + "updated").isPresent());
      assertThat(
              JSON.readTree(find(messages, members + "updated").get())
                  .at("/removed_devices/0/id")
                  .asText())
          .isEqualTo("thermostat");
      app.disconnect();
      app.close();
    }
  }

  /**
   * Once the node has resynced and its eventbus is up: a client subscribed to {@code filter},
   * collecting each message as topic and payload.
   */
  private MqttClient connected(EdgeNode edge, String filter, List<String[]> into) throws Exception {
    answerResync(1, List.of());
    Awaitility.await("eventbus connected")
        .atMost(Duration.ofSeconds(30))
        .until(() -> edge.eventbus().connected());
    return MqttClients.subscribed(
        edge.mqttUrl(),
        TestNames.unique("client"),
        filter,
        (t, m) -> into.add(new String[] {t, new String(m.getPayload(), StandardCharsets.UTF_8)}));
  }

  private static ObjectNode device(String name, String desired, String reported) {
    ObjectNode device = JSON.createObjectNode();
    device.put("apiVersion", "devices.kubeedge.io/v1alpha2").put("kind", "Device");
    device.putObject("metadata").put("name", name).put("namespace", "default");
    device.putObject("spec").putObject("deviceModelRef").put("name", "thermostat-model");
    ObjectNode twin = device.putObject("status").putArray("twins").addObject();
    twin.put("propertyName", "setpoint");
    ObjectNode want = twin.putObject("desired").put("value", desired);
    want.putObject("metadata").put("type", "int");
    if (reported != null) {
      twin.putObject("reported").put("value", reported);
    }
    return device;
  }

  /** The device as the cloud would send it after a user set the setpoint's desired value. */
  private static ObjectNode withReported(JsonNode current, String desired) {
    ObjectNode next = current.deepCopy();
    next.withObject("metadata").remove("resourceVersion");
    for (JsonNode twin : next.path("status").path("twins")) {
      if (twin.path("propertyName").asText().equals("setpoint")) {
        ((ObjectNode) twin).withObject("desired").put("value", desired);
      }
    }
    return next;
  }

  private static ResourceUpsert deviceUpsert(ObjectNode device) {
    return new ResourceUpsert(ObjectKey.of(device), TestNames.unique("rv"), device);
  }

  private static JsonNode deviceObject(View view) {
    return view.objectsOf("devices.kubeedge.io", "Device").get(0).object();
  }

  private static JsonNode twin(View view, String prop) {
    for (JsonNode twin : deviceObject(view).path("status").path("twins")) {
      if (twin.path("propertyName").asText().equals(prop)) {
        return twin;
      }
    }
    return JSON.missingNode();
  }

  private static String reported(View view, String prop) {
    return view.objectsOf("devices.kubeedge.io", "Device").isEmpty()
        ? ""
        : twin(view, prop).path("reported").path("value").asText("");
  }

  private static Optional<String> find(List<String[]> messages, String topicSuffix) {
    return messages.stream()
        .filter(m -> m[0].endsWith(topicSuffix))
        .map(m -> m[1])
        .reduce((a, b) -> b);
  }

  private static void publish(MqttClient client, String topic, byte[] payload) throws Exception {
    MqttMessage message = new MqttMessage(payload);
    message.setQos(1);
    client.publish(topic, message);
  }
}
