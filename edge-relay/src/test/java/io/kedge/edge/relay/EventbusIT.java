package io.kedge.edge.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.kube.objects.RuleManifests;
import io.kedge.runtime.mqtt.MqttClients;
import io.kedge.schemas.EventbusMessage;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.schemas.RuleMessage;
import io.kedge.testkit.LocalServices;
import io.kedge.testkit.TestNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The edge EVENTBUS against a real broker: rule messages from the node topic are published on MQTT,
 * and messages on the topics of eventbus-sourced rules go up to the cloud. Against the embedded
 * broker, and against the machine's Mosquitto on 1883 when there is one.
 */
class EventbusIT extends RelayTestBase {

  @Test
  void embeddedBrokerCarriesRuleMessagesBothWays() throws Exception {
    try (EdgeNode edge = startEdge()) {
      bothWays(edge, "default");
    }
  }

  @Test
  void embeddedBrokerLetsClientsLeaveTheirIdToIt() throws Exception {
    // as mosquitto_sub does by default (MQTT 3.1.1, empty client id, clean session)
    try (EdgeNode edge = startEdge()) {
      MqttClient anonymous = new MqttClient(edge.mqttUrl(), "", new MemoryPersistence());
      MqttConnectOptions options = new MqttConnectOptions();
      options.setCleanSession(true);
      options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
      anonymous.connect(options);
      assertThat(anonymous.isConnected()).isTrue();
      anonymous.disconnect();
      anonymous.close();
    }
  }

  @Test
  void embeddedBrokerCarriesMessagesOfMegabytes() throws Exception {
    // Moquette's default limit is 8 KiB; rule messages may carry up to the ingress's 12 MiB
    try (EdgeNode edge = startEdge()) {
      List<byte[]> received = new CopyOnWriteArrayList<>();
      MqttClient app =
          MqttClients.subscribed(
              edge.mqttUrl(),
              TestNames.unique("big-in"),
              "big/topic",
              (t, m) -> received.add(m.getPayload()));
      MqttClient sender = MqttClients.connect(edge.mqttUrl(), TestNames.unique("big-out"));
      byte[] payload = new byte[12 * 1024 * 1024];
      java.util.Arrays.fill(payload, (byte) 'k');
      MqttMessage message = new MqttMessage(payload);
      message.setQos(1);
      sender.publish("big/topic", message);
      Awaitility.await("12 MiB delivered")
          .atMost(Duration.ofSeconds(60))
          .until(() -> !received.isEmpty());
      assertThat(received.get(0)).hasSize(payload.length);
      sender.disconnect();
      app.disconnect();
    }
  }

  @Test
  void externalMosquittoCarriesRuleMessagesBothWays() throws Exception {
    Assumptions.assumeTrue(
        LocalServices.mosquitto(), "SKIPPED: no MQTT broker (Mosquitto) on 127.0.0.1:1883");
    String namespace = TestNames.unique("ns"); // topics of its own beside other users of 1883
    try (EdgeNode edge = startEdge(Map.of("eventbus.url", LocalServices.MOSQUITTO_URL))) {
      assertThat(edge.mqttUrl()).isEqualTo(LocalServices.MOSQUITTO_URL);
      bothWays(edge, namespace);
    }
  }

  private void bothWays(EdgeNode edge, String namespace) throws Exception {
    answerResync(1, List.of());
    Awaitility.await("eventbus connected")
        .atMost(Duration.ofSeconds(30))
        .until(() -> edge.eventbus().connected());

    // cloud -> edge: rule messages in the node topic are published on their MQTT topic, in order
    List<String> received = new CopyOnWriteArrayList<>();
    MqttClient app =
        MqttClients.subscribed(
            edge.mqttUrl(),
            TestNames.unique("app"),
            namespace + "/greetings",
            (t, m) -> received.add(new String(m.getPayload())));
    for (int i = 0; i < 20; i++) {
      send(
          new RuleMessage(
              "m-" + i,
              NODE,
              namespace,
              "greet",
              "eventbus",
              namespace + "/greetings",
              Map.of(),
              ("hello " + i).getBytes(StandardCharsets.UTF_8)));
    }
    Awaitility.await("20 rule messages on MQTT")
        .atMost(Duration.ofSeconds(30))
        .until(() -> received.size() >= 20);
    assertThat(received).hasSize(20).startsWith("hello 0", "hello 1").endsWith("hello 19");

    // edge -> cloud: a rule with an eventbus source on this node subscribes to {ns}/{topic}
    send(upsert(ruleEndpoint(namespace, "edge-mqtt", "eventbus")));
    send(upsert(ruleEndpoint(namespace, "cloud-rest", "rest")));
    send(upsert(rule(namespace, "temperature", "edge-mqtt", "cloud-rest", "sensors/temp")));
    Awaitility.await("subscribed")
        .atMost(Duration.ofSeconds(30))
        .until(() -> edge.eventbus().subscriptions().contains(namespace + "/sensors/temp"));
    for (int i = 0; i < 10; i++) {
      MqttMessage message = new MqttMessage(("21." + i).getBytes(StandardCharsets.UTF_8));
      message.setQos(1);
      app.publish(namespace + "/sensors/temp", message);
    }
    List<EventbusMessage> uplinked = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> upstream = upstreamConsumer()) {
      Awaitility.await("10 eventbus messages upstream")
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> r : upstream.poll(Duration.ofMillis(200))) {
                  if (codec.decode(r.headers(), r.value()).data() instanceof EventbusMessage m) {
                    uplinked.add(m);
                  }
                }
                return uplinked.size() >= 10;
              });
    }
    assertThat(uplinked).hasSize(10);
    assertThat(uplinked)
        .allSatisfy(
            m -> {
              assertThat(m.node()).isEqualTo(NODE);
              assertThat(m.topic()).isEqualTo(namespace + "/sensors/temp");
            });
    assertThat(uplinked.stream().map(m -> new String(m.payload(), StandardCharsets.UTF_8)))
        .containsExactly(
            "21.0", "21.1", "21.2", "21.3", "21.4", "21.5", "21.6", "21.7", "21.8", "21.9");
    app.disconnect();
    app.close();
  }

  static ObjectNode ruleEndpoint(String namespace, String name, String type) {
    return RuleManifests.endpoint(namespace, name, type);
  }

  static ObjectNode rule(
      String namespace, String name, String source, String target, String topic) {
    return RuleManifests.rule(
        namespace,
        name,
        source,
        Map.of("topic", topic, "node_name", NODE),
        target,
        Map.of("resource", "http://127.0.0.1:1/unused"));
  }

  private static ResourceUpsert upsert(ObjectNode object) {
    return new ResourceUpsert(ObjectKey.of(object), "1", object);
  }
}
