package io.kedge.runtime.mqtt;

import io.kedge.runtime.lifecycle.DaemonThreads;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.SocketFactory;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection to an MQTT broker (a node's EVENTBUS, embedded or external): QoS 1 publishing and
 * subscriptions that survive reconnects and broker restarts (they are made again on every connect).
 * Connecting is retried in the background until {@link #close}. Every call that waits for the
 * broker (publish, subscribe, unsubscribe) waits at most {@link #WAIT_LIMIT}: a broker that keeps
 * the connection but drops an acknowledgement (Moquette does when a session queue is full) must not
 * hold a caller, or a shutdown, for ever.
 */
public final class Eventbus implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Eventbus.class);
  public static final Duration WAIT_LIMIT = Duration.ofSeconds(10);

  /** Receives messages of one subscription; called on the client's thread. */
  public interface Handler {
    void message(String topic, byte[] payload) throws Exception;
  }

  private final MqttClient client;
  private final MqttConnectOptions options = new MqttConnectOptions();
  private final Map<String, Handler> subscriptions = new ConcurrentHashMap<>();

  /** The filters the broker has acknowledged on the current connection. */
  private final java.util.Set<String> acknowledged = ConcurrentHashMap.newKeySet();

  private final AtomicLong published = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final Thread connector;
  private final Duration waitLimit;
  private volatile boolean running = true;

  /**
   * @param url the broker, {@code tcp://host:port}
   * @param clientId unique per node, so a reconnect replaces the old session
   */
  public Eventbus(String url, String clientId) {
    this(url, clientId, WAIT_LIMIT);
  }

  /**
   * @param waitLimit how long a publish, subscribe or unsubscribe waits for the broker's answer
   *     before it fails (the caller keeps the message; at least once)
   */
  public Eventbus(String url, String clientId, Duration waitLimit) {
    try {
      client = new MqttClient(url, clientId, new MemoryPersistence());
    } catch (MqttException e) {
      throw new IllegalArgumentException("eventbus.url '" + url + "' is not usable: " + e, e);
    }
    options.setAutomaticReconnect(true);
    options.setCleanSession(true); // subscriptions are made again on every connect
    options.setKeepAliveInterval(30);
    options.setMaxInflight(1000);
    options.setConnectionTimeout(10);
    this.waitLimit = waitLimit;
    client.setTimeToWait(waitLimit.toMillis());
    if (url.startsWith("tcp://")) {
      options.setSocketFactory(noDelaySockets());
    }
    client.setCallback(new Callback());
    connector = new Thread(this::connectUntilConnected, "kedge-eventbus-connect-" + clientId);
    connector.setDaemon(true);
  }

  /**
   * Sockets with TCP_NODELAY: small MQTT packets go out at once instead of waiting out the peer's
   * delayed ACK (~40 ms per exchange otherwise).
   */
  public static SocketFactory noDelaySockets() {
    return new SocketFactory() {
      @Override
      public Socket createSocket() throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        return socket;
      }

      @Override
      public Socket createSocket(String host, int port) throws IOException {
        return tuned(new Socket(host, port));
      }

      @Override
      public Socket createSocket(String host, int port, InetAddress local, int localPort)
          throws IOException {
        return tuned(new Socket(host, port, local, localPort));
      }

      @Override
      public Socket createSocket(InetAddress host, int port) throws IOException {
        return tuned(new Socket(host, port));
      }

      @Override
      public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort)
          throws IOException {
        return tuned(new Socket(host, port, local, localPort));
      }

      private Socket tuned(Socket socket) throws IOException {
        socket.setTcpNoDelay(true);
        return socket;
      }
    };
  }

  public Eventbus start() {
    connector.start();
    return this;
  }

  private void connectUntilConnected() {
    long backoff = 200;
    while (running && !client.isConnected()) {
      try {
        client.connect(options); // after a first success, Paho reconnects by itself
        return;
      } catch (MqttException e) {
        LOG.warn(
            "eventbus {} not reachable ({}); retrying in {} ms",
            client.getServerURI(),
            e.getMessage(),
            backoff);
        sleep(backoff);
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }

  /** How long a call waits for the broker's answer before it fails. */
  public Duration waitLimit() {
    return waitLimit;
  }

  public boolean connected() {
    return client.isConnected();
  }

  /**
   * Publishes at QoS 1 and waits for the broker's acknowledgement, at most the wait limit.
   *
   * @throws MqttException when the broker is not connected, refuses or does not answer in time
   */
  public void publish(String topic, byte[] payload) throws MqttException {
    MqttMessage message = new MqttMessage(payload);
    message.setQos(1);
    client.publish(topic, message);
    published.incrementAndGet();
  }

  /**
   * Publishes at QoS 1 and waits for the acknowledgement; false (logged) when the broker is not
   * connected, refuses or does not answer within the wait limit, so the caller can keep the message
   * and try again.
   */
  public boolean tryPublish(String topic, byte[] payload) {
    try {
      publish(topic, payload);
      return true;
    } catch (MqttException e) {
      LOG.warn("eventbus: cannot publish {} yet: {}", topic, e.toString());
      return false;
    }
  }

  /**
   * Publishes at QoS 1 without waiting; the token completes with the broker's acknowledgement.
   * Messages published this way go out in order.
   *
   * @throws MqttException when not connected, or too many are in flight
   */
  public IMqttDeliveryToken publishAsync(String topic, byte[] payload) throws MqttException {
    MqttMessage message = new MqttMessage(payload);
    message.setQos(1);
    IMqttDeliveryToken token = client.getTopic(topic).publish(message);
    published.incrementAndGet();
    return token;
  }

  /** Subscribes at QoS 1 now if connected, and again after every reconnect. */
  public void subscribe(String filter, Handler handler) {
    subscriptions.put(filter, handler);
    if (client.isConnected()) {
      subscribeNow(filter);
    }
  }

  public void unsubscribe(String filter) {
    acknowledged.remove(filter);
    if (subscriptions.remove(filter) != null && client.isConnected()) {
      try {
        client.unsubscribe(filter);
      } catch (MqttException e) {
        LOG.warn("eventbus: cannot unsubscribe {}: {}", filter, e.getMessage());
      }
    }
  }

  /**
   * The filters the broker has acknowledged on the current connection: messages published to them
   * from now on reach this eventbus.
   */
  public java.util.Set<String> subscriptions() {
    return java.util.Set.copyOf(acknowledged);
  }

  public long publishedCount() {
    return published.get();
  }

  public long receivedCount() {
    return received.get();
  }

  private void subscribeNow(String filter) {
    try {
      client.subscribe(filter, 1);
      if (subscriptions.containsKey(filter)) {
        acknowledged.add(filter);
      }
      LOG.info("eventbus: subscribed to {}", filter);
    } catch (MqttException e) {
      LOG.warn("eventbus: cannot subscribe to {} yet: {}", filter, e.getMessage());
    }
  }

  private final class Callback implements MqttCallbackExtended {
    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
      LOG.info("eventbus {} {}", reconnect ? "reconnected to" : "connected to", serverUri);
      // from another thread: Paho must not be called back into from its callback thread
      Thread resubscribe =
          new Thread(() -> subscriptions.keySet().forEach(Eventbus.this::subscribeNow));
      resubscribe.setDaemon(true);
      resubscribe.start();
    }

    @Override
    public void connectionLost(Throwable cause) {
      acknowledged.clear(); // a clean session: the broker forgot them; made again on connect
      LOG.warn("eventbus connection lost: {}; reconnecting", cause.toString());
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) throws Exception {
      Handler handler = match(topic);
      if (handler != null) {
        handler.message(topic, message.getPayload()); // a failure leaves it unacknowledged
        received.incrementAndGet();
      }
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {}
  }

  private Handler match(String topic) {
    Handler exact = subscriptions.get(topic);
    if (exact != null) {
      return exact;
    }
    for (Map.Entry<String, Handler> entry : subscriptions.entrySet()) {
      if (org.eclipse.paho.client.mqttv3.MqttTopic.isMatched(entry.getKey(), topic)) {
        return entry.getValue();
      }
    }
    return null;
  }

  private void sleep(long millis) {
    if (!DaemonThreads.sleep(millis)) {
      running = false;
    }
  }

  @Override
  public void close() {
    running = false;
    connector.interrupt();
    try {
      if (client.isConnected()) {
        client.disconnect(2_000);
      }
      client.close(true);
    } catch (MqttException e) {
      LOG.debug("eventbus close: {}", e.toString());
    }
  }
}
