package io.kedge.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy on loopback that a test places between a client and a server to break the link, in
 * either of the ways edge links break: {@link #cut()} closes every connection and refuses new ones
 * (a link that resets), {@link #silence()} carries nothing while every socket stays open (a link
 * that drops packets: nothing is refused, nothing answers), each until {@link #restore()}. {@link
 * #throttle} makes it a slow link instead.
 */
public final class TcpProxy implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TcpProxy.class);

  private final InetSocketAddress target;
  private final ServerSocket server;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean cut = new AtomicBoolean();
  private volatile boolean silent;
  private volatile long bytesPerSecond;
  private final Thread acceptor;
  private volatile boolean closed;

  /** Listens on {@code port} (0 = a free one) and forwards to {@code targetHost:targetPort}. */
  public TcpProxy(int port, String targetHost, int targetPort) {
    this.target = new InetSocketAddress(targetHost, targetPort);
    try {
      this.server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
      server.setReuseAddress(true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on port " + port, e);
    }
    this.acceptor = new Thread(this::acceptLoop, "tcp-proxy-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** {@code 127.0.0.1:<port>}, for a client's bootstrap list. */
  public String address() {
    return "127.0.0.1:" + port();
  }

  /** Closes every open connection and refuses new ones. */
  public void cut() {
    cut.set(true);
    sockets.forEach(TcpProxy::closeQuietly);
    sockets.clear();
  }

  /**
   * Carries nothing from now on, in either direction, while every connection stays open and new
   * ones are accepted: what held back is carried after {@link #restore()}, as TCP retransmits it
   * once a link that dropped packets returns (unless an end gave up and closed its socket).
   */
  public void silence() {
    silent = true;
  }

  /** Breaks the link the way {@code failure} says. */
  public void fail(Failure failure) {
    switch (failure) {
      case RESET -> cut();
      case SILENT -> silence();
    }
  }

  /** How a link breaks. */
  public enum Failure {
    /** Connections are closed and refused: the ends notice at once. */
    RESET,
    /** Packets are dropped: the ends notice only by their own timeouts. */
    SILENT
  }

  /** Accepts and forwards connections again. */
  public void restore() {
    cut.set(false);
    silent = false;
  }

  public boolean isCut() {
    return cut.get();
  }

  /**
   * Carries at most {@code bytesPerSecond} each way on every connection from now on, like a slow
   * WAN link; 0 lifts the limit.
   */
  public void throttle(long bytesPerSecond) {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("bytesPerSecond must be >= 0, was " + bytesPerSecond);
    }
    this.bytesPerSecond = bytesPerSecond;
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        holdWhileSilent(); // accepted, and no answer
        if (cut.get()) {
          closeQuietly(client);
          continue;
        }
        Socket upstream = new Socket();
        try {
          upstream.connect(target, 5000);
        } catch (IOException e) {
          closeQuietly(client);
          closeQuietly(upstream);
          continue;
        }
        sockets.add(client);
        sockets.add(upstream);
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        if (!closed) {
          LOG.debug("proxy accept failed: {}", e.toString());
        }
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[64 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer, 0, chunk())) >= 0) {
                  holdWhileSilent();
                  if (cut.get()) {
                    break;
                  }
                  out.write(buffer, 0, n);
                  out.flush();
                  pace(n);
                }
              } catch (IOException e) {
                // a cut or a closed peer ends the pump
              } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
              }
            },
            "tcp-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private void holdWhileSilent() {
    while (silent && !cut.get() && !closed) {
      LockSupport.parkNanos(10_000_000L);
    }
  }

  /** Small reads while throttled, so the pace is smooth rather than 64 KiB bursts. */
  private int chunk() {
    return bytesPerSecond > 0 ? 4096 : 64 * 1024;
  }

  /** Waits as long as {@code bytes} take at the throttled rate. */
  private void pace(int bytes) {
    long rate = bytesPerSecond;
    if (rate > 0) {
      LockSupport.parkNanos(bytes * 1_000_000_000L / rate);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() {
    closed = true;
    cut();
    try {
      server.close();
    } catch (IOException e) {
      // closing
    }
  }
}
