package io.kedge.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.kedge.runtime.net.FreePorts;
import io.kedge.runtime.tls.TlsMaterial;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rule deliveries' HTTP client against the JDK's HTTP server, a server kedge did not write. */
class HttpPosterTest {
  static {
    // the JDK server writes an answer's head and body apart; without this, Nagle's algorithm
    // holds the body for the client's delayed ACK (~40 ms a request)
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final List<AutoCloseable> open = new ArrayList<>();
  private final CountDownLatch never = new CountDownLatch(1);

  @TempDir Path dir;

  @AfterEach
  void closeAll() throws Exception {
    never.countDown();
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  /** What the server saw of one request. */
  record Seen(
      int clientPort, String method, String path, Map<String, String> headers, String body) {}

  private HttpServer server(HttpServer server, Consumer<HttpExchange> answer) {
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext("/", answer::accept);
    server.start();
    open.add(() -> server.stop(0));
    return server;
  }

  private HttpServer plain(Consumer<HttpExchange> answer) throws IOException {
    return server(
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0), answer);
  }

  private static Consumer<HttpExchange> recording(List<Seen> seen, int status) {
    return exchange -> {
      try (exchange) {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> headers = new ConcurrentHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.get(0)));
        seen.add(
            new Seen(
                exchange.getRemoteAddress().getPort(),
                exchange.getRequestMethod(),
                exchange.getRequestURI().toString(),
                headers,
                body));
        byte[] answer = "thanks".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, answer.length);
        exchange.getResponseBody().write(answer);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
  }

  private HttpPoster poster() {
    HttpPoster poster = new HttpPoster("test-poster", Duration.ofSeconds(5));
    open.add(poster);
    return poster;
  }

  private static URI url(HttpServer server, String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  @Test
  void postsTheBodyAndHeadersAndReusesOneConnectionForRequestsInTurn() throws Exception {
    List<Seen> seen = new CopyOnWriteArrayList<>();
    HttpServer server = plain(recording(seen, 200));
    HttpPoster poster = poster();
    for (int i = 0; i < 200; i++) {
      int status =
          poster
              .post(
                  url(server, "/in/temp?unit=c"),
                  Map.of("Content-Type", "application/json", "X-Kedge-Message-Id", "m-" + i),
                  ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8),
                  TIMEOUT)
              .get(30, TimeUnit.SECONDS);
      assertThat(status).isEqualTo(200);
    }
    assertThat(seen).hasSize(200);
    Seen first = seen.get(0);
    assertThat(first.method()).isEqualTo("POST");
    assertThat(first.path()).isEqualTo("/in/temp?unit=c");
    assertThat(first.body()).isEqualTo("{\"n\":0}");
    assertThat(first.headers())
        .containsEntry("Content-type", "application/json")
        .containsEntry("X-kedge-message-id", "m-0")
        .containsEntry("Host", "127.0.0.1:" + server.getAddress().getPort());
    assertThat(seen.stream().map(Seen::clientPort).distinct().count())
        .as("one keep-alive connection carries requests made one after another")
        .isEqualTo(1);
  }

  @Test
  void concurrentRequestsUseNoMoreConnectionsThanAreInFlight() throws Exception {
    List<Seen> seen = new CopyOnWriteArrayList<>();
    HttpServer server = plain(recording(seen, 202));
    HttpPoster poster = poster();
    for (int round = 0; round < 50; round++) {
      List<CompletableFuture<Integer>> inFlight = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        inFlight.add(poster.post(url(server, "/"), Map.of(), new byte[] {1}, TIMEOUT));
      }
      for (CompletableFuture<Integer> answer : inFlight) {
        assertThat(answer.get(30, TimeUnit.SECONDS)).isEqualTo(202);
      }
    }
    assertThat(seen).hasSize(200);
    assertThat(seen.stream().map(Seen::clientPort).distinct().count()).isBetween(1L, 4L);
  }

  @Test
  void aConnectionLeftIdleIsClosedAndTheNextRequestOpensAnother() throws Exception {
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger closedByClient = new AtomicInteger();
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread serving =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try (Socket socket = server.accept()) {
                    accepted.incrementAndGet();
                    InputStream in = socket.getInputStream();
                    while (readHead(in)) { // requests without bodies, answered in turn
                      socket
                          .getOutputStream()
                          .write(
                              "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                                  .getBytes(StandardCharsets.ISO_8859_1));
                    }
                    closedByClient.incrementAndGet();
                  } catch (IOException e) {
                    return; // the server socket closed
                  }
                }
              });
      serving.setDaemon(true);
      serving.start();
      HttpPoster poster =
          new HttpPoster(
              "test-poster-idle",
              Duration.ofSeconds(5),
              HttpPoster.defaultTls(),
              Duration.ofMillis(200));
      open.add(poster);
      URI url = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/");
      assertThat(poster.post(url, Map.of(), new byte[0], TIMEOUT).get(30, SECONDS)).isEqualTo(200);
      Awaitility.await("the idle pooled connection closed by the client")
          .atMost(Duration.ofSeconds(10))
          .until(() -> closedByClient.get() == 1);
      assertThat(poster.post(url, Map.of(), new byte[0], TIMEOUT).get(30, SECONDS)).isEqualTo(200);
      assertThat(accepted.get()).isEqualTo(2);
    }
  }

  /** Reads one request head; false at the end of the stream. */
  private static boolean readHead(InputStream in) throws IOException {
    byte[] last = new byte[4];
    while (!new String(last, StandardCharsets.ISO_8859_1).equals("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        return false;
      }
      System.arraycopy(last, 1, last, 0, 3);
      last[3] = (byte) b;
    }
    return true;
  }

  @Test
  void anErrorStatusIsTheAnswer() throws Exception {
    HttpServer server = plain(recording(new CopyOnWriteArrayList<>(), 503));
    assertThat(poster().post(url(server, "/"), Map.of(), new byte[0], TIMEOUT).get(30, SECONDS))
        .isEqualTo(503);
  }

  @Test
  void aServerThatClosesEachConnectionIsAnsweredOnNewOnes() throws Exception {
    List<Seen> seen = new CopyOnWriteArrayList<>();
    Consumer<HttpExchange> record = recording(seen, 200);
    HttpServer server =
        plain(
            exchange -> {
              exchange.getResponseHeaders().set("Connection", "close");
              record.accept(exchange);
            });
    HttpPoster poster = poster();
    for (int i = 0; i < 20; i++) {
      assertThat(poster.post(url(server, "/"), Map.of(), new byte[0], TIMEOUT).get(30, SECONDS))
          .isEqualTo(200);
    }
    assertThat(seen.stream().map(Seen::clientPort).distinct().count()).isEqualTo(20);
  }

  @Test
  void aServerThatNeverAnswersTimesOutAndItsConnectionIsNotUsedAgain() throws Exception {
    Set<Integer> ports = ConcurrentHashMap.newKeySet();
    HttpServer server =
        plain(
            exchange -> {
              ports.add(exchange.getRemoteAddress().getPort());
              if (exchange.getRequestURI().getPath().equals("/slow")) {
                try {
                  never.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              recording(new CopyOnWriteArrayList<>(), 200).accept(exchange);
            });
    HttpPoster poster = poster();
    CompletableFuture<Integer> slow =
        poster.post(url(server, "/slow"), Map.of(), new byte[0], Duration.ofMillis(300));
    assertThatThrownBy(() -> slow.get(30, SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(HttpTimeoutException.class);
    assertThat(poster.post(url(server, "/fast"), Map.of(), new byte[0], TIMEOUT).get(30, SECONDS))
        .isEqualTo(200);
    assertThat(ports).as("the timed-out connection was closed, not reused").hasSize(2);
  }

  @Test
  void anInterimAnswerIsFollowedByTheFinalOne() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread answering =
          new Thread(
              () -> {
                try (Socket socket = server.accept()) {
                  InputStream in = socket.getInputStream();
                  byte[] head = new byte[4];
                  while (!new String(head, StandardCharsets.ISO_8859_1).equals("\r\n\r\n")) {
                    System.arraycopy(head, 1, head, 0, 3);
                    head[3] = (byte) in.read();
                  }
                  socket
                      .getOutputStream()
                      .write(
                          ("HTTP/1.1 100 Continue\r\n\r\n"
                                  + "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok")
                              .getBytes(StandardCharsets.ISO_8859_1));
                  in.readAllBytes(); // until the client closes
                } catch (IOException e) {
                  // the test ends
                }
              });
      answering.setDaemon(true);
      answering.start();
      URI url = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/");
      assertThat(poster().post(url, Map.of(), new byte[0], TIMEOUT).get(30, SECONDS))
          .isEqualTo(201);
    }
  }

  @Test
  void aRefusedConnectionFailsWithAnIoException() throws Exception {
    URI nobody = URI.create("http://127.0.0.1:" + FreePorts.on("127.0.0.1") + "/");
    assertThatThrownBy(() -> poster().post(nobody, Map.of(), new byte[0], TIMEOUT).get(30, SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IOException.class);
  }

  @Test
  void urlsThatAreNotHttpAreRefusedAtOnce() {
    HttpPoster poster = poster();
    for (String url : List.of("ftp://example.com/", "mailto:a@b.c", "http:///nohost")) {
      assertThatThrownBy(() -> poster.post(URI.create(url), Map.of(), new byte[0], TIMEOUT))
          .as(url)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void httpsChecksTheServersCertificateAndName() throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    TlsMaterial.writeSelfSignedPem(cert, key, List.of("localhost"));
    HttpsServer https =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    https.setHttpsConfigurator(new HttpsConfigurator(TlsMaterial.fromPem(cert, key)));
    List<Seen> seen = new CopyOnWriteArrayList<>();
    server(https, recording(seen, 200));
    int port = https.getAddress().getPort();

    HttpPoster trusting =
        new HttpPoster(
            "test-poster-tls",
            Duration.ofSeconds(5),
            SslContextBuilder.forClient()
                .trustManager(cert.toFile())
                .endpointIdentificationAlgorithm("HTTPS")
                .build());
    open.add(trusting);
    URI byName = URI.create("https://localhost:" + port + "/secure");
    assertThat(trusting.post(byName, Map.of(), "x".getBytes(), TIMEOUT).get(30, SECONDS))
        .isEqualTo(200);
    assertThat(seen).hasSize(1);

    URI byOtherName = URI.create("https://127.0.0.1:" + port + "/secure");
    assertThatThrownBy(
            () -> trusting.post(byOtherName, Map.of(), new byte[0], TIMEOUT).get(30, SECONDS))
        .as("a certificate for another name")
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IOException.class);
    assertThatThrownBy(() -> poster().post(byName, Map.of(), new byte[0], TIMEOUT).get(30, SECONDS))
        .as("a certificate the JDK's trust store does not hold")
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IOException.class);
    assertThat(seen).hasSize(1);
  }

  private static final TimeUnit SECONDS = TimeUnit.SECONDS;
}
