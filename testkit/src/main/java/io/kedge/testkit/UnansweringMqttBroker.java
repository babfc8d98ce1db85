package io.kedge.testkit;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An MQTT 3.1.1 broker on loopback that keeps connections alive (CONNACK, PINGRESP) and answers
 * nothing else: publishes, subscribes and unsubscribes are read and never acknowledged. It stands
 * for a broker that has dropped its acknowledgements (Moquette does when a session queue is full),
 * so a test can show a client does not wait for them for ever.
 */
public final class UnansweringMqttBroker implements AutoCloseable {
  private static final int CONNECT = 1;
  private static final int PUBLISH = 3;
  private static final int PINGREQ = 12;

  private final ServerSocket server;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicInteger publishes = new AtomicInteger();
  private volatile boolean closed;

  private UnansweringMqttBroker(ServerSocket server) {
    this.server = server;
  }

  /** Listens on a free loopback port. */
  public static UnansweringMqttBroker start() {
    try {
      UnansweringMqttBroker broker =
          new UnansweringMqttBroker(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
      Thread acceptor = new Thread(broker::accept, "unanswering-mqtt-accept");
      acceptor.setDaemon(true);
      acceptor.start();
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code tcp://127.0.0.1:<port>} */
  public String url() {
    return "tcp://127.0.0.1:" + server.getLocalPort();
  }

  /** PUBLISH packets received (none acknowledged). */
  public int publishes() {
    return publishes.get();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket socket = server.accept();
        sockets.add(socket);
        Thread reader = new Thread(() -> serve(socket), "unanswering-mqtt-" + socket.getPort());
        reader.setDaemon(true);
        reader.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      while (!closed) {
        int type = in.readUnsignedByte() >> 4;
        in.skipNBytes(remainingLength(in));
        if (type == CONNECT) {
          out.write(new byte[] {0x20, 0x02, 0x00, 0x00}); // CONNACK, accepted
        } else if (type == PINGREQ) {
          out.write(new byte[] {(byte) 0xD0, 0x00});
        } else if (type == PUBLISH) {
          publishes.incrementAndGet();
        }
        out.flush();
      }
    } catch (IOException e) {
      // the client went away, or the broker closed
    } finally {
      sockets.remove(socket);
    }
  }

  /** MQTT's variable-length "remaining length": 7 bits a byte, low bits first. */
  private static int remainingLength(DataInputStream in) throws IOException {
    int length = 0;
    for (int shift = 0; shift < 28; shift += 7) {
      int b = in.readUnsignedByte();
      length |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return length;
      }
    }
    throw new IOException("malformed remaining length");
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Socket socket : sockets) {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
