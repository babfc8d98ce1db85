package io.kedge.edge.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kedge.edge.api.log.MemoryLog;
import io.kedge.edge.api.view.ResourceTypes;
import io.kedge.edge.api.view.TestObjects;
import io.kedge.edge.api.view.View;
import io.kedge.edge.api.view.ViewApplier;
import io.kedge.runtime.http.HttpBounds;
import io.kedge.testkit.RawHttp;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The edge API bounds what a client can hold, with real sockets: idle connections are closed but a
 * quiet watch is not; requests beyond the in-flight cap get 429 and connections beyond the cap 503,
 * both with Retry-After.
 */
class EdgeApiBoundsTest {
  private final MemoryLog log = new MemoryLog(1_000, 3);
  private final SimulatedCloud cloud = new SimulatedCloud(log);
  private ViewApplier applier;
  private EdgeApiServer server;

  @BeforeEach
  void start() throws Exception {
    start(new HttpBounds.Limits(3, 1, Duration.ofSeconds(1), Duration.ofSeconds(5)));
  }

  private void start(HttpBounds.Limits limits) throws Exception {
    if (server != null) {
      stop();
    }
    View view = new View(ResourceTypes.builtIn(), 10_000);
    applier = new ViewApplier(view, log, Duration.ofMillis(200), "test").start();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(applier::caughtUp);
    server =
        EdgeApiServer.start(
            view,
            EdgeApiOptions.loopback(0).withWriteTimeout(Duration.ofSeconds(10)).withLimits(limits),
            applier::caughtUp,
            "test",
            cloud,
            "edge-1");
  }

  @AfterEach
  void stop() {
    server.close();
    applier.close();
  }

  private Socket connect() throws Exception {
    Socket socket = new Socket("127.0.0.1", server.port());
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static void request(Socket socket, String method, String path, String body)
      throws Exception {
    OutputStream out = socket.getOutputStream();
    out.write(
        (method
                + " "
                + path
                + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length()
                + "\r\n\r\n"
                + body)
            .getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  @Test
  void anIdleConnectionIsClosedButAQuietWatchIsNot() throws Exception {
    try (Socket plain = connect();
        Socket watch = connect()) {
      request(plain, "GET", "/api/v1/namespaces/default/pods", "");
      assertThat(RawHttp.read(plain, 12)).startsWith("HTTP/1.1 200");
      request(watch, "GET", "/api/v1/namespaces/default/pods?watch=true", "");
      assertThat(RawHttp.read(watch, 12)).startsWith("HTTP/1.1 200");
      plain.setSoTimeout(10_000);
      org.awaitility.Awaitility.await("the idle connection is closed by the API")
          .atMost(java.time.Duration.ofSeconds(15))
          .until(() -> RawHttp.read(plain, 1 << 20).isEmpty());
      watch.setSoTimeout(500);
      assertThatThrownBy(() -> watch.getInputStream().read())
          .as("the watch is still open, only quiet")
          .isInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  void requestsAndConnectionsBeyondTheCapsAreRefusedWithRetryAfter() throws Exception {
    start(new HttpBounds.Limits(3, 1, Duration.ofSeconds(30), Duration.ofSeconds(5)));
    cloud.answering = false; // a write then holds its request slot until the write timeout
    try (Socket writer = connect();
        Socket reader = connect();
        Socket third = connect()) {
      request(
          writer,
          "POST",
          "/api/v1/namespaces/default/pods",
          TestObjects.pod("default", "web", "edge-1", "Pending", "app", "web").toString());
      Awaitility.await("the write went to the cloud")
          .atMost(Duration.ofSeconds(10))
          .until(() -> !cloud.forwarded.isEmpty());
      request(reader, "GET", "/api/v1/namespaces/default/pods", "");
      String busy = RawHttp.read(reader, 40);
      assertThat(busy).startsWith("HTTP/1.1 429").contains("Retry-After: 1");

      request(third, "GET", "/api/v1/namespaces/default/pods", "");
      assertThat(RawHttp.read(third, 12))
          .as("the third connection is held")
          .startsWith("HTTP/1.1 429");
      try (Socket fourth = connect()) {
        String refused = RawHttp.read(fourth, 1 << 20);
        assertThat(refused).startsWith("HTTP/1.1 503").contains("Retry-After: 1");
      }
    }
  }
}
