package io.kedge.runtime.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Free ports for servers that must be told their port up front (Kafka listeners, MQTT, OPC UA) when
 * asked for port 0. The port is free when chosen; another process could take it before the server
 * binds. Within this process a port is handed out once: ports are often chosen several at a time
 * before anything binds (a Kafka node's broker and controller listeners), and the system may offer
 * a port again as soon as the probe socket closes.
 */
public final class FreePorts {
  private static final int ATTEMPTS = 100;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private FreePorts() {}

  /** A port free on {@code host} right now, and not handed out before by this process. */
  public static int on(String host) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int port;
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
        port = socket.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException("no free port on " + host, e);
      }
      if (HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException(
        "no free port on " + host + " that was not handed out before, in " + ATTEMPTS + " tries");
  }
}
