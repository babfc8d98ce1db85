package io.kedge.runtime.mqtt;

import org.eclipse.paho.client.mqttv3.IMqttMessageListener;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Plain Paho clients standing in for an app or a device mapper on a node's MQTT broker, in the
 * benchmarks and the tests. The node's own client is {@link Eventbus}, which reconnects by itself.
 *
 * <p>Moquette 0.17, the embedded broker, marks a connection connected only after its CONNACK has
 * been written, on another thread, and drops a connection whose SUBSCRIBE it reads before that
 * ("SUBSCRIBE received on already closed connection"). A client that subscribes as soon as it is
 * connected sometimes loses its connection that way, so {@link #subscribe} connects again and
 * retries.
 */
public final class MqttClients {
  private static final int ATTEMPTS = 3;

  private MqttClients() {}

  /** A clean session that may have many QoS 1 messages in flight, with TCP_NODELAY as the node. */
  public static MqttConnectOptions options(String url) {
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(true);
    options.setMaxInflight(1000);
    if (url.startsWith("tcp://")) {
      options.setSocketFactory(Eventbus.noDelaySockets());
    }
    return options;
  }

  /** A client {@code clientId} connected to {@code url} with {@link #options}. */
  public static MqttClient connect(String url, String clientId) throws MqttException {
    MqttClient client = new MqttClient(url, clientId, new MemoryPersistence());
    client.connect(options(url));
    return client;
  }

  /** {@link #connect}, then {@link #subscribe}. */
  public static MqttClient subscribed(
      String url, String clientId, String filter, IMqttMessageListener listener)
      throws MqttException {
    MqttClient client = connect(url, clientId);
    subscribe(client, filter, listener);
    return client;
  }

  /**
   * Subscribes {@code client} to {@code filter} at QoS 1; when the broker drops the connection
   * instead of answering, connects again and retries.
   */
  public static void subscribe(MqttClient client, String filter, IMqttMessageListener listener)
      throws MqttException {
    for (int attempt = 1; ; attempt++) {
      try {
        client.subscribe(filter, 1, listener);
        return;
      } catch (MqttException e) {
        // lost while the SUBSCRIBE was out, or already noticed lost before it went
        boolean dropped =
            e.getReasonCode() == MqttException.REASON_CODE_CONNECTION_LOST
                || e.getReasonCode() == MqttException.REASON_CODE_CLIENT_NOT_CONNECTED;
        if (!dropped || attempt == ATTEMPTS) {
          throw e;
        }
        if (!client.isConnected()) {
          client.connect(options(client.getServerURI()));
        }
      }
    }
  }
}
