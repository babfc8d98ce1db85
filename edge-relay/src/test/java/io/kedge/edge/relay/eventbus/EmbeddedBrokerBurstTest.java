package io.kedge.edge.relay.eventbus;

import static org.assertj.core.api.Assertions.assertThat;

import io.kedge.runtime.mqtt.MqttClients;
import io.kedge.testkit.Progress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A burst of QoS 1 publishes to several subscribers is acknowledged whole. Moquette queues each
 * publish for its subscribers' session loops and drops it without a PUBACK when a loop's queue is
 * full; an MQTT 3.1.1 publisher then waits until it reconnects. With Moquette's default queue
 * (1,024 commands per loop) this burst loses acknowledgements.
 *
 * <p>The publisher keeps at most {@link #IN_FLIGHT} publishes unacknowledged. Moquette also drops a
 * PUBACK, silently, while the publisher's channel is not writable: its session threads hand each
 * PUBACK to the channel's event loop, and Netty counts every handed-over write (about 40 bytes)
 * against the channel's 64 KiB high-water mark until the loop writes it. 3,000 at once can pass it
 * while that loop is busy reading the burst; 1,000 never can.
 */
class EmbeddedBrokerBurstTest {
  private static final int SUBSCRIBERS = 8;
  private static final int BURST = 3_000;
  private static final int IN_FLIGHT = 1_000;

  /**
   * A dropped publish is never acknowledged: the count stops. A busy machine only slows it, so the
   * test waits for as long as the count moves.
   */
  private static final Duration STALL = Duration.ofSeconds(20);

  @TempDir Path dir;

  @Test
  void aBurstToManySubscribersIsAcknowledgedWhole() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start("127.0.0.1", 0, dir)) {
      AtomicInteger received = new AtomicInteger();
      List<MqttClient> subscribers = new ArrayList<>();
      MqttAsyncClient publisher =
          new MqttAsyncClient(broker.url(), "burst-publisher", new MemoryPersistence());
      try {
        for (int i = 0; i < SUBSCRIBERS; i++) {
          subscribers.add(
              MqttClients.subscribed(
                  broker.url(),
                  "burst-subscriber-" + i,
                  "burst",
                  (t, m) -> received.incrementAndGet()));
        }
        MqttConnectOptions options = MqttClients.options(broker.url());
        options.setMaxInflight(IN_FLIGHT);
        publisher.connect(options).waitForCompletion();
        CountDownLatch acknowledged = new CountDownLatch(BURST);
        AtomicInteger refused = new AtomicInteger();
        Semaphore window = new Semaphore(IN_FLIGHT);
        IMqttActionListener listener =
            new IMqttActionListener() {
              @Override
              public void onSuccess(IMqttToken token) {
                acknowledged.countDown();
                window.release();
              }

              @Override
              public void onFailure(IMqttToken token, Throwable error) {
                refused.incrementAndGet();
                window.release();
              }
            };
        byte[] payload = "{\"temperature\":21.5}".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < BURST; i++) {
          if (!window.tryAcquire(STALL.toMillis(), TimeUnit.MILLISECONDS)) {
            break; // no acknowledgement for STALL: the count below says how many came
          }
          publisher.publish("burst", payload, 1, false, null, listener);
        }

        Progress.awaitCount(
            "publishes acknowledged", () -> BURST - acknowledged.getCount(), BURST, STALL);
        assertThat(refused).hasValue(0);
        Progress.awaitCount(
            "messages received by the subscribers", received::get, SUBSCRIBERS * BURST, STALL);
        assertThat(received).hasValue(SUBSCRIBERS * BURST);
      } finally {
        if (publisher.isConnected()) { // else a failure above is what the test reports
          publisher.disconnect().waitForCompletion();
        }
        publisher.close();
        for (MqttClient subscriber : subscribers) {
          if (subscriber.isConnected()) {
            subscriber.disconnect();
          }
          subscriber.close();
        }
      }
    }
  }
}
