package io.kedge.mapper.opcua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.kedge.edge.relay.eventbus.EmbeddedBroker;
import io.kedge.runtime.mqtt.Eventbus;
import io.kedge.runtime.mqtt.MqttClients;
import io.kedge.runtime.net.FreePorts;
import io.kedge.schemas.twin.TwinContract;
import io.kedge.schemas.twin.TwinContract.Reported;
import io.kedge.testkit.TestNames;
import io.kedge.testkit.UnansweringMqttBroker;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The twin link against a real MQTT broker: reports wait out a broker that is away. */
class TwinLinkIT {
  @TempDir Path dir;

  record Message(String topic, byte[] payload) {}

  @Test
  void reportsQueuedWhileTheBrokerIsAwayAreSentWhenItComesLatestValueWinning() throws Exception {
    int port = FreePorts.on("127.0.0.1");
    String url = "tcp://127.0.0.1:" + port;
    try (Eventbus eventbus = new Eventbus(url, TestNames.unique("mapper")).start();
        TwinLink twins = new TwinLink(eventbus, Clock.systemUTC()).start((id, values) -> {})) {
      twins.state("pump-1", "online");
      twins.report("pump-1", "Speed", Reported.value("1", "int", 1));
      twins.report("pump-1", "Speed", Reported.value("2", "int", 2));
      twins.report("pump-1", "Level", Reported.value("7", "int", 2));
      Awaitility.await("flushes that find no broker: the values stay queued")
          .during(Duration.ofMillis(3 * TwinLink.RETRY_MILLIS))
          .atMost(Duration.ofSeconds(10))
          .until(() -> !eventbus.connected());

      List<Message> messages = new CopyOnWriteArrayList<>();
      try (EmbeddedBroker broker = EmbeddedBroker.start("127.0.0.1", port, dir.resolve("mqtt"))) {
        MqttClient edge =
            MqttClients.subscribed(
                broker.url(),
                TestNames.unique("edge"),
                TwinContract.PREFIX + "#",
                (t, m) -> messages.add(new Message(t, m.getPayload())));
        try {
          Awaitility.await("the queued report and state")
              .atMost(Duration.ofSeconds(30))
              .until(
                  () ->
                      messages.stream()
                              .anyMatch(m -> m.topic().equals(TwinContract.twinUpdate("pump-1")))
                          && messages.stream()
                              .anyMatch(m -> m.topic().equals(TwinContract.stateUpdate("pump-1"))));
          List<Message> updates =
              messages.stream()
                  .filter(m -> m.topic().equals(TwinContract.twinUpdate("pump-1")))
                  .toList();
          assertThat(updates).hasSize(1);
          var reported = TwinContract.parseReport(updates.get(0).payload());
          assertThat(reported.get("Speed").value()).isEqualTo("2");
          assertThat(reported.get("Level").value()).isEqualTo("7");

          // once sent, nothing is sent again until something new is queued
          int sent = messages.size();
          Awaitility.await("nothing more")
              .during(Duration.ofMillis(3 * TwinLink.RETRY_MILLIS))
              .atMost(Duration.ofSeconds(10))
              .until(() -> messages.size() == sent);
          twins.report("pump-1", "Speed", Reported.value("3", "int", 3));
          Awaitility.await("the next report")
              .atMost(Duration.ofSeconds(10))
              .until(() -> messages.size() == sent + 1);
        } finally {
          edge.disconnect();
          edge.close();
        }
      }
    }
  }

  @Test
  void aBrokerThatNeverAcknowledgesHoldsNeitherAPublishNorTheClose() throws Exception {
    try (UnansweringMqttBroker broker = UnansweringMqttBroker.start();
        Eventbus eventbus =
            new Eventbus(broker.url(), TestNames.unique("mapper"), Duration.ofMillis(300))
                .start()) {
      Awaitility.await("connected").atMost(Duration.ofSeconds(10)).until(eventbus::connected);
      assertThat(eventbus.tryPublish(TwinContract.twinUpdate("pump-0"), new byte[] {'{', '}'}))
          .as("a publish the broker never acknowledges fails after the wait limit")
          .isFalse();

      TwinLink twins = new TwinLink(eventbus, Clock.systemUTC());
      for (int device = 0; device < 200; device++) {
        twins.report("pump-" + device, "Speed", Reported.value("1", "int", 1));
      }
      assertTimeoutPreemptively(Duration.ofSeconds(30), twins::close, "close ends");
      assertThat(broker.publishes())
          .as("a flush stops at the first report the broker does not take; the rest stay queued")
          .isLessThan(10);
    }
  }
}
