package io.kedge.testkit;

import org.eclipse.paho.client.mqttv3.IMqttMessageListener;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Paho clients for tests, standing in for an app or a device mapper on a node's MQTT broker.
 *
 * <p>Moquette 0.17, the embedded broker, marks a connection connected only after its CONNACK has
 * been written, on another thread, and drops a connection whose SUBSCRIBE it reads before that
 * ("SUBSCRIBE received on already closed connection"). A client that subscribes as soon as it is
 * connected sometimes loses its connection that way. Clients that reconnect by themselves, like the
 * node's eventbus, subscribe again; a test's one subscribe retries instead of failing the test.
 */
public final class MqttClients {
  private static final int ATTEMPTS = 3;

  private MqttClients() {}

  /** A clean-session client named {@code name} plus a unique suffix, connected to {@code url}. */
  public static MqttClient connect(String url, String name) throws MqttException {
    MqttClient client = new MqttClient(url, TestNames.unique(name), new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(true);
    options.setMaxInflight(1000); // apps here publish QoS 1 back to back
    client.connect(options);
    return client;
  }

  /** A client as {@link #connect} makes, subscribed to {@code filter} at QoS 1. */
  public static MqttClient subscribed(
      String url, String name, String filter, IMqttMessageListener listener) throws MqttException {
    for (int attempt = 1; ; attempt++) {
      MqttClient client = connect(url, name);
      try {
        client.subscribe(filter, 1, listener);
        return client;
      } catch (MqttException e) {
        client.close(true);
        if (e.getReasonCode() != MqttException.REASON_CODE_CONNECTION_LOST || attempt == ATTEMPTS) {
          throw e;
        }
      }
    }
  }
}
