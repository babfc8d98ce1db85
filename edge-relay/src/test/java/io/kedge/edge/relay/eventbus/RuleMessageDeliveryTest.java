package io.kedge.edge.relay.eventbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kedge.edge.api.log.MemoryLog;
import io.kedge.edge.relay.log.PositionFile;
import io.kedge.edge.relay.uplink.UplinkLog;
import io.kedge.runtime.mqtt.Eventbus;
import io.kedge.runtime.mqtt.MqttClients;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.RuleMessage;
import io.kedge.testkit.UnansweringMqttBroker;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import net.openhft.chronicle.queue.RollCycles;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rule messages from the LOG published on the node's eventbus: windowed, in order, resumable. */
class RuleMessageDeliveryTest {
  private static final String NODE = "n1";
  private static final URI SOURCE = URI.create("kedge://cloud");

  @TempDir Path dir;

  private final EventCodec codec = new EventCodec();
  private final MemoryLog log = new MemoryLog();
  private UplinkLog uplink;
  private ServicebusCaller servicebus;

  @BeforeEach
  void openServicebus() {
    uplink = UplinkLog.open(dir.resolve("uplink"), RollCycles.FAST_DAILY, codec);
    servicebus = new ServicebusCaller(NODE, uplink);
  }

  @AfterEach
  void closeServicebus() {
    servicebus.close();
    uplink.close();
  }

  @Test
  void atMostAWindowOfPublishesWaitsForAcknowledgements() throws Exception {
    for (int i = 0; i < RuleMessageDelivery.WINDOW + 50; i++) {
      log.append(message(i));
    }
    try (UnansweringMqttBroker broker = UnansweringMqttBroker.start();
        Eventbus eventbus = connected(broker.url(), Duration.ofSeconds(60));
        RuleMessageDelivery delivery = delivery(eventbus).start()) {
      await("a window published")
          .atMost(Duration.ofSeconds(10))
          .until(() -> broker.publishes() == RuleMessageDelivery.WINDOW);
      await("no more until the window is answered")
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(3))
          .until(() -> broker.publishes() == RuleMessageDelivery.WINDOW);
    }
  }

  @Test
  void messagesUnansweredWithinTheWaitLimitArePublishedAgain() throws Exception {
    try (UnansweringMqttBroker broker = UnansweringMqttBroker.start();
        Eventbus eventbus = connected(broker.url(), Duration.ofMillis(500));
        RuleMessageDelivery delivery = delivery(eventbus).start()) {
      log.append(message(0));
      log.append(message(1));
      await("published again after the wait limit")
          .atMost(Duration.ofSeconds(10))
          .until(() -> broker.publishes() >= 4);
      assertThat(delivery.position()).isEqualTo(-1);
    }
  }

  @Test
  void aDeliveryStoppedWhileTheBrokerDoesNotAnswerKeepsItsPosition() throws Exception {
    try (UnansweringMqttBroker broker = UnansweringMqttBroker.start();
        Eventbus eventbus = connected(broker.url(), Duration.ofMillis(500))) {
      RuleMessageDelivery delivery = delivery(eventbus).start();
      log.append(message(0));
      log.append(message(1));
      await("published again").atMost(Duration.ofSeconds(20)).until(() -> broker.publishes() >= 3);
      delivery.close();
      assertThat(new PositionFile(dir.resolve("position"), "eventbus delivery").read())
          .as("nothing was acknowledged: both are published again after a restart")
          .hasValue(-1);
    }
  }

  @Test
  void everyMessageArrivesOnceInOrderAndARestartResumesAfterTheLast() throws Exception {
    int count = 2_000;
    try (EmbeddedBroker broker = EmbeddedBroker.start("127.0.0.1", 0, dir.resolve("broker"));
        Eventbus eventbus = connected(broker.url(), Eventbus.WAIT_LIMIT)) {
      List<String> received = new CopyOnWriteArrayList<>();
      MqttClient app =
          MqttClients.subscribed(
              broker.url(),
              "app",
              "ns/commands",
              (t, m) -> received.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
      try {
        long last = -1;
        try (RuleMessageDelivery delivery = delivery(eventbus).start()) {
          for (int i = 0; i < count; i++) {
            last = log.append(i % 10 == 0 ? otherNodesMessage(i) : message(i));
          }
          long lastIndex = last;
          await("all acknowledged")
              .atMost(Duration.ofSeconds(60))
              .until(() -> delivery.position() == lastIndex);
        }
        List<String> expected =
            IntStream.range(0, count).filter(i -> i % 10 != 0).mapToObj(i -> "m" + i).toList();
        await("all received").atMost(Duration.ofSeconds(30)).until(() -> received.size() >= 1_800);
        assertThat(received).containsExactlyElementsOf(expected);
        assertThat(new PositionFile(dir.resolve("position"), "eventbus delivery").read())
            .as("stored when the delivery closed")
            .hasValue(last);

        try (RuleMessageDelivery again = delivery(eventbus).start()) {
          long next = log.append(message(count));
          await("the new message")
              .atMost(Duration.ofSeconds(30))
              .until(() -> again.position() == next);
        }
        await("received").atMost(Duration.ofSeconds(30)).until(() -> received.size() > 1_800);
        assertThat(received).hasSize(1_801).last().isEqualTo("m" + count);
      } finally {
        app.disconnect();
        app.close();
      }
    }
  }

  private RuleMessageDelivery delivery(Eventbus eventbus) {
    return new RuleMessageDelivery(
        NODE,
        log,
        eventbus,
        servicebus,
        new PositionFile(dir.resolve("position"), "eventbus delivery"),
        -1);
  }

  private static Eventbus connected(String url, Duration waitLimit) {
    Eventbus eventbus = new Eventbus(url, "delivery-" + System.nanoTime(), waitLimit).start();
    await("connected").atMost(Duration.ofSeconds(10)).until(eventbus::connected);
    return eventbus;
  }

  private static KedgeEvent message(int i) {
    return event(i, NODE);
  }

  private static KedgeEvent otherNodesMessage(int i) {
    return event(i, "n2");
  }

  private static KedgeEvent event(int i, String node) {
    RuleMessage message =
        new RuleMessage(
            "id-" + i,
            node,
            "ns",
            "commands",
            "eventbus",
            "ns/commands",
            Map.of(),
            ("m" + i).getBytes(StandardCharsets.UTF_8));
    return KedgeEvent.of(SOURCE, "rule-message", message);
  }
}
