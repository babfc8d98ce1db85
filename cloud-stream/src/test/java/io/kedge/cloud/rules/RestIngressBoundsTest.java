package io.kedge.cloud.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.kedge.runtime.http.HttpBounds;
import io.kedge.testkit.RawHttp;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a client may hold on the REST ingress, with real sockets: connections beyond the cap get
 * 503, requests beyond the in-flight cap 429 (both with Retry-After), an idle connection is closed,
 * and headers trickled too slowly get 408.
 */
class RestIngressBoundsTest {
  private final RuleBook book = RuleObjects.greetBook("t");

  /** Messages the ingress stores; each waits for the test to complete its future. */
  private final HeldStores sender = new HeldStores();

  private final LinkedBlockingQueue<CompletableFuture<Void>> stored = sender.stores;

  private RestIngress ingress;
  private HttpBounds bounds;

  @BeforeEach
  void start() throws Exception {
    bounds =
        new HttpBounds(new HttpBounds.Limits(2, 1, Duration.ofSeconds(2), Duration.ofMillis(700)));
    ingress =
        RestIngress.start(
            "127.0.0.1", 0, 1 << 20, book, sender, null, Duration.ofSeconds(5), bounds);
  }

  @AfterEach
  void stop() {
    ingress.close();
  }

  private Socket connect() throws Exception {
    Socket socket = new Socket("127.0.0.1", ingress.port());
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static void post(Socket socket, String body) throws Exception {
    OutputStream out = socket.getOutputStream();
    out.write(
        ("POST /edge-1/default/greet HTTP/1.1\r\nHost: x\r\nContent-Length: "
                + body.length()
                + "\r\n\r\n"
                + body)
            .getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  @Test
  void aRequestBeyondTheInFlightCapGets429AndTheSlotComesBack() throws Exception {
    try (Socket first = connect();
        Socket second = connect()) {
      post(first, "a");
      CompletableFuture<Void> holding = stored.poll(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(holding).as("the first message is being stored").isNotNull();
      post(second, "b");
      String refused = RawHttp.read(second, 40);
      assertThat(refused).startsWith("HTTP/1.1 429").contains("Retry-After: 1");
      holding.complete(null);
      assertThat(RawHttp.read(first, 12)).startsWith("HTTP/1.1 202");
    }
    assertThat(bounds.refusedRequests()).isEqualTo(1);
  }

  @Test
  void aConnectionBeyondTheCapGets503AndIdleOnesAreClosed() throws Exception {
    try (Socket one = connect();
        Socket two = connect()) {
      org.awaitility.Awaitility.await("both connections held")
          .atMost(Duration.ofSeconds(10))
          .until(() -> bounds.openConnections() == 2);
      Socket three = connect();
      String refused = RawHttp.read(three, 1 << 20);
      three.close();
      assertThat(refused).startsWith("HTTP/1.1 503").contains("Retry-After: 1");
      assertThat(bounds.refusedConnections()).isEqualTo(1);
      long idleSince = System.nanoTime();
      assertThat(one.getInputStream().read()).as("closed when idle").isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - idleSince))
          .isGreaterThan(Duration.ofMillis(1500));
      assertThat(two.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void headersTrickledTooSlowlyGet408() throws Exception {
    try (Socket slow = connect()) {
      OutputStream out = slow.getOutputStream();
      // one byte every 200 ms keeps the connection from being idle, not from the deadline (700 ms)
      java.util.concurrent.ScheduledExecutorService trickle =
          java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
      java.util.concurrent.atomic.AtomicInteger sent =
          new java.util.concurrent.atomic.AtomicInteger();
      byte[] header = "POST / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
      trickle.scheduleAtFixedRate(
          () -> {
            try {
              int i = sent.getAndIncrement();
              if (i < header.length) {
                out.write(header[i]);
                out.flush();
              }
            } catch (java.io.IOException e) {
              // the ingress closed the connection: what the test waits for
            }
          },
          0,
          200,
          java.util.concurrent.TimeUnit.MILLISECONDS);
      try {
        slow.setSoTimeout(10_000);
        assertThat(RawHttp.read(slow, 1 << 20)).startsWith("HTTP/1.1 408");
        assertThat(sent.get()).as("bytes were still trickling").isLessThan(header.length);
      } finally {
        trickle.shutdownNow();
      }
    }
  }
}
