package io.kedge.edge.relay.eventbus;

import io.kedge.runtime.net.FreePorts;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's embedded MQTT broker (Moquette), for local apps and mappers: loopback only, sessions
 * and QoS 1 queues kept on disk under the node's data directory.
 */
public final class EmbeddedBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

  private final Server server = new Server();
  private final String host;
  private final int port;

  private EmbeddedBroker(String host, int port) {
    this.host = host;
    this.port = port;
  }

  /** The largest MQTT message the broker takes: the ingress's 12 MiB body and headroom. */
  public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

  /** Commands each of Moquette's session loops queues before it drops publishes unacknowledged. */
  static final int SESSION_QUEUE = 32_768;

  /**
   * Starts the broker on {@code host:port} ({@code port} 0: a free one), keeping its state in
   * {@code dataDir}.
   *
   * @throws IllegalStateException naming the address when it cannot listen
   */
  public static EmbeddedBroker start(String host, int port, Path dataDir) {
    int chosen = port == 0 ? FreePorts.on(host) : port;
    EmbeddedBroker broker = new EmbeddedBroker(host, chosen);
    Properties props = new Properties();
    props.setProperty("host", host);
    props.setProperty("port", Integer.toString(chosen));
    props.setProperty("websocket_port", "disabled");
    props.setProperty("allow_anonymous", "true");
    // mosquitto_sub and other MQTT 3.1.1 clients leave the client id to the broker by default
    props.setProperty("allow_zero_byte_client_id", "true");
    // Moquette drops the connection of a client sending more than 8 KiB by default; rule messages
    // may carry up to the REST ingress's 12 MiB, and twin reports of big devices exceed 8 KiB
    props.setProperty("netty.mqtt.message_size", Integer.toString(MAX_MESSAGE_BYTES));
    // Moquette acknowledges a QoS 1 publish once it is queued for its subscribers' session loops
    // and drops it unacknowledged when a loop's queue is full; MQTT 3.1.1 clients resend only
    // after reconnecting, so a burst beyond the queue stalls its publisher. A queue per loop (one
    // loop per core) of SESSION_QUEUE slots absorbs bursts 32 times Moquette's default; a slot
    // costs 4 bytes until used, then holds its message until the loop runs it.
    props.setProperty("session_queue_size", Integer.toString(SESSION_QUEUE));
    props.setProperty("telemetry_enabled", "false");
    props.setProperty("netty.epoll", "false");
    props.setProperty("persistence_enabled", "true");
    props.setProperty("immediate_buffer_flush", "true");
    try {
      Files.createDirectories(dataDir);
      props.setProperty("data_path", dataDir.toString());
      broker.server.startServer(new MemoryConfig(props));
    } catch (IOException | RuntimeException e) {
      broker.server.stopServer();
      throw new IllegalStateException(
          "the embedded MQTT broker cannot listen on " + host + ":" + chosen + ": " + e, e);
    }
    LOG.info("embedded MQTT broker listening on {}:{} (state in {})", host, chosen, dataDir);
    return broker;
  }

  /** The URL clients connect to. */
  public String url() {
    return "tcp://" + host + ":" + port;
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    server.stopServer();
  }
}
