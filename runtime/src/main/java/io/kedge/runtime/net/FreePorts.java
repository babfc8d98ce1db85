package io.kedge.runtime.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Free ports for servers that must be told their port up front (MQTT, OPC UA) when asked for port
 * 0. The port is free when chosen; another process could take it before the server binds.
 */
public final class FreePorts {
  private FreePorts() {}

  /** A port free on {@code host} right now. */
  public static int on(String host) {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + host, e);
    }
  }
}
