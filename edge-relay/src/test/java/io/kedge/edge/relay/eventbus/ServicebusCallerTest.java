package io.kedge.edge.relay.eventbus;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.kedge.edge.relay.uplink.UplinkLog;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.RuleMessage;
import io.kedge.schemas.RuleResponse;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.openhft.chronicle.queue.RollCycles;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServicebusCallerTest {
  private final EventCodec codec = new EventCodec();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger mostInFlight = new AtomicInteger();
  private final CountDownLatch release = new CountDownLatch(1);
  private HttpServer service;

  @BeforeEach
  void startService() throws Exception {
    service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    service.createContext(
        "/slow",
        exchange -> {
          mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          inFlight.decrementAndGet();
          byte[] body = ("seen " + exchange.getRequestMethod()).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(201, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    service.setExecutor(Executors.newCachedThreadPool());
    service.start();
  }

  @AfterEach
  void stopService() {
    release.countDown();
    service.stop(0);
  }

  @Test
  void callsBeyondTheBoundWaitAndEveryCallIsAnswered(@TempDir Path dir) {
    int calls = ServicebusCaller.CALLS_IN_FLIGHT + 8;
    try (UplinkLog uplink = UplinkLog.open(dir, RollCycles.FAST_DAILY, codec);
        ServicebusCaller caller = new ServicebusCaller("n1", uplink)) {
      for (int i = 0; i < calls; i++) {
        caller.call(message("m" + i, url("/slow"), Map.of()));
      }
      Awaitility.await("the bound reached")
          .atMost(Duration.ofSeconds(30))
          .until(() -> inFlight.get() == ServicebusCaller.CALLS_IN_FLIGHT);
      release.countDown();
      Awaitility.await("every call answered")
          .atMost(Duration.ofSeconds(30))
          .until(() -> answers(uplink).size() == calls);
      assertThat(mostInFlight.get()).isEqualTo(ServicebusCaller.CALLS_IN_FLIGHT);
      assertThat(answers(uplink))
          .allSatisfy(
              a -> {
                assertThat(a.code()).isEqualTo(201);
                assertThat(new String(a.payload(), StandardCharsets.UTF_8)).isEqualTo("seen PUT");
              });
    }
  }

  @Test
  void aRequestTheClientCannotMakeIsAnswered502(@TempDir Path dir) {
    release.countDown();
    try (UplinkLog uplink = UplinkLog.open(dir, RollCycles.FAST_DAILY, codec);
        ServicebusCaller caller = new ServicebusCaller("n1", uplink)) {
      caller.call(message("bad-header", url("/slow"), Map.of("Bad Name", "x")));
      caller.call(message("not-loopback", "http://192.0.2.1/x", Map.of()));
      caller.call(message("good", url("/slow"), Map.of()));
      Awaitility.await("three answers")
          .atMost(Duration.ofSeconds(30))
          .until(() -> answers(uplink).size() == 3);
      Map<String, Integer> codes = new HashMap<>();
      answers(uplink).forEach(a -> codes.put(a.messageId(), a.code()));
      assertThat(codes).containsEntry("bad-header", 502).containsEntry("not-loopback", 502);
      assertThat(codes).containsEntry("good", 201);
    }
  }

  @Test
  void aCallWhoseCallerGaveUpIsNotMade(@TempDir Path dir) {
    release.countDown();
    try (UplinkLog uplink = UplinkLog.open(dir, RollCycles.FAST_DAILY, codec);
        ServicebusCaller caller = new ServicebusCaller("n1", uplink)) {
      long past = System.currentTimeMillis() - 1;
      caller.call(
          message("late", url("/slow"), Map.of(RuleMessage.DEADLINE_HEADER, Long.toString(past))));
      caller.call(message("on-time", url("/slow"), Map.of()));
      Awaitility.await("the on-time answer")
          .atMost(Duration.ofSeconds(30))
          .until(() -> answers(uplink).size() == 1);
      assertThat(answers(uplink)).extracting(RuleResponse::messageId).containsExactly("on-time");
    }
  }

  private String url(String path) {
    return "http://127.0.0.1:" + service.getAddress().getPort() + path;
  }

  private static RuleMessage message(String id, String target, Map<String, String> extra) {
    Map<String, String> headers = new HashMap<>(extra);
    headers.put(RuleMessage.METHOD_HEADER, "PUT");
    headers.putIfAbsent(
        RuleMessage.DEADLINE_HEADER, Long.toString(System.currentTimeMillis() + 60_000));
    return new RuleMessage(
        id, "n1", "default", "call", "servicebus", target, headers, "{}".getBytes());
  }

  private static List<RuleResponse> answers(UplinkLog uplink) {
    List<RuleResponse> answers = new ArrayList<>();
    try (UplinkLog.Reader reader = uplink.readAfter(-1)) {
      for (UplinkLog.Pending p = reader.next(); p != null; p = reader.next()) {
        if (p.data() instanceof RuleResponse r) {
          answers.add(r);
        }
      }
    }
    return answers;
  }
}
