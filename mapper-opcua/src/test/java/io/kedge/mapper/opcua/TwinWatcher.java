package io.kedge.mapper.opcua;

import io.kedge.edge.relay.eventbus.EmbeddedBroker;
import io.kedge.runtime.mqtt.MqttClients;
import io.kedge.schemas.twin.TwinContract;
import io.kedge.testkit.TestNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;

/**
 * The edge side of the twin contract as a test sees it: a real MQTT broker (the edge's embedded
 * one) and a client that records every twin message and sends deltas like the twin bridge.
 */
final class TwinWatcher implements AutoCloseable {
  private final EmbeddedBroker broker;
  private final MqttClient client;
  private final List<Message> messages = new CopyOnWriteArrayList<>();

  record Message(String topic, byte[] payload) {}

  TwinWatcher(Path dir) throws Exception {
    broker = EmbeddedBroker.start("127.0.0.1", 0, dir.resolve("mqtt"));
    client =
        MqttClients.subscribed(
            broker.url(),
            TestNames.unique("edge"),
            TwinContract.PREFIX + "#",
            (t, m) -> messages.add(new Message(t, m.getPayload())));
  }

  String url() {
    return broker.url();
  }

  /** The latest reported value (or error) of a property, if any was reported. */
  Optional<TwinContract.Reported> reported(String device, String property) {
    TwinContract.Reported last = null;
    for (Message message : messages) {
      if (message.topic().equals(TwinContract.twinUpdate(device))) {
        TwinContract.Reported value = TwinContract.parseReport(message.payload()).get(property);
        if (value != null) {
          last = value;
        }
      }
    }
    return Optional.ofNullable(last);
  }

  String reportedValue(String device, String property) {
    return reported(device, property).map(TwinContract.Reported::value).orElse("");
  }

  String reportedError(String device, String property) {
    return reported(device, property).map(TwinContract.Reported::error).orElse("");
  }

  Optional<String> state(String device) {
    String last = null;
    for (Message message : messages) {
      if (message.topic().equals(TwinContract.stateUpdate(device))) {
        last = TwinContract.parseState(message.payload());
      }
    }
    return Optional.ofNullable(last);
  }

  long count(String topic) {
    return messages.stream().filter(m -> m.topic().equals(topic)).count();
  }

  void awaitValue(String device, String property, String value) {
    Awaitility.await(device + "." + property + " reported as " + value)
        .atMost(Duration.ofSeconds(60))
        .until(() -> value.equals(reportedValue(device, property)));
  }

  void awaitState(String device, String state) {
    Awaitility.await(device + " " + state)
        .atMost(Duration.ofSeconds(60))
        .until(() -> state(device).filter(state::equals).isPresent());
  }

  /** Sends desired values as the twin bridge does. */
  void delta(String device, Map<String, String> values) throws Exception {
    MqttMessage message = new MqttMessage(TwinContract.delta(values, Map.of(), 1L));
    message.setQos(1);
    client.publish(TwinContract.delta(device), message);
  }

  @Override
  public void close() throws Exception {
    client.disconnect();
    client.close();
    broker.close();
  }
}
