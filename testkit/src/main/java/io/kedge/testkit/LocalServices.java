package io.kedge.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** The services this machine kind may run beside the tests (Mosquitto on 1883, ...). */
public final class LocalServices {
  /** The machine's Mosquitto, used as an external edge eventbus where it runs. */
  public static final String MOSQUITTO_URL = "tcp://127.0.0.1:1883";

  private LocalServices() {}

  /** Whether something accepts connections on {@code host:port} within half a second. */
  public static boolean reachable(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public static boolean mosquitto() {
    return reachable("127.0.0.1", 1883);
  }
}
