package io.kedge.edge.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kedge.edge.api.log.LogEntry;
import io.kedge.edge.api.log.MemoryLog;
import io.kedge.edge.api.view.ResourceTypes;
import io.kedge.edge.api.view.TestObjects;
import io.kedge.edge.api.view.View;
import io.kedge.runtime.http.HttpBounds;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The edge API's handler on an {@link EmbeddedChannel}, without sockets: how it routes a request to
 * an answer, and how it frames a watch (headers once, then one JSON event per chunk, as
 * kube-apiserver streams them).
 */
class ApiHandlerChannelTest {
  private final View view = new View(ResourceTypes.builtIn(), 1_000);
  private final MemoryLog log = new MemoryLog(100, 7);
  private final EmbeddedChannel channel =
      new EmbeddedChannel(
          new ApiHandler(
              view,
              new Discovery(view.types(), "test"),
              () -> true,
              EdgeApiOptions.loopback(0),
              new ApiStats(),
              null,
              new HttpBounds(EdgeApiOptions.loopback(0).limits()),
              "edge-1"));

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private void append(KedgeEvent event) {
    view.apply(new LogEntry(log.append(event), event));
  }

  private FullHttpResponse get(String uri) {
    channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri));
    channel.runPendingTasks();
    return channel.readOutbound();
  }

  private static JsonNode json(ByteBuf content) throws Exception {
    return EventCodec.json().readTree(content.toString(StandardCharsets.UTF_8));
  }

  @Test
  void routesReadsToTheirAnswers() throws Exception {
    append(TestObjects.upsert(TestObjects.pod("default", "web-0", "edge-1", "Running"), "1"));
    append(TestObjects.upsert(TestObjects.pod("shop", "db-0", "edge-1", "Running"), "2"));

    FullHttpResponse list = get("/api/v1/namespaces/default/pods");
    assertThat(list.status()).isEqualTo(HttpResponseStatus.OK);
    JsonNode items = json(list.content()).path("items");
    assertThat(items).hasSize(1);
    assertThat(items.get(0).at("/metadata/name").asText()).isEqualTo("web-0");
    list.release();

    FullHttpResponse one = get("/api/v1/namespaces/shop/pods/db-0");
    assertThat(one.status()).isEqualTo(HttpResponseStatus.OK);
    assertThat(json(one.content()).at("/metadata/namespace").asText()).isEqualTo("shop");
    one.release();

    FullHttpResponse missing = get("/api/v1/namespaces/shop/pods/nope");
    assertThat(missing.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
    assertThat(json(missing.content()).path("reason").asText()).isEqualTo("NotFound");
    missing.release();

    FullHttpResponse unknown = get("/apis/example.com/v1/widgets");
    assertThat(unknown.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
    unknown.release();

    FullHttpResponse readOnly = post("/api/v1/namespaces/default/configmaps");
    assertThat(readOnly.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
    readOnly.release();
  }

  private FullHttpResponse post(String uri) {
    DefaultFullHttpRequest request =
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri);
    request.content().writeCharSequence("{}", StandardCharsets.UTF_8);
    channel.writeInbound(request);
    channel.runPendingTasks();
    return channel.readOutbound();
  }

  @Test
  void framesAWatchAsOneJsonEventPerChunk() throws Exception {
    append(TestObjects.upsert(TestObjects.pod("default", "web-0", "edge-1", "Pending"), "1"));
    long listed = view.resourceVersion();

    channel.writeInbound(
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            HttpMethod.GET,
            "/api/v1/namespaces/default/pods?watch=1&resourceVersion=" + listed));
    channel.runPendingTasks();
    HttpResponse head = channel.readOutbound();
    assertThat(head.status()).isEqualTo(HttpResponseStatus.OK);
    assertThat(head).isNotInstanceOf(FullHttpResponse.class);
    assertThat(head.headers().get("Transfer-Encoding")).isEqualTo("chunked");

    append(TestObjects.upsert(TestObjects.pod("default", "web-0", "edge-1", "Running"), "2"));
    append(TestObjects.delete(TestObjects.pod("default", "web-0", "edge-1", "Running")));
    List<JsonNode> events = new ArrayList<>();
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (events.size() < 2 && System.nanoTime() < deadline) {
      channel.runPendingTasks();
      Object chunk = channel.readOutbound();
      if (chunk instanceof HttpContent content && !(chunk instanceof LastHttpContent)) {
        String text = content.content().toString(StandardCharsets.UTF_8);
        content.release();
        assertThat(text).as("one event per chunk, newline-terminated").endsWith("\n");
        assertThat(text.strip()).doesNotContain("\n");
        events.add(EventCodec.json().readTree(text));
      } else if (chunk == null) {
        Thread.onSpinWait();
      }
    }
    assertThat(events)
        .extracting(e -> e.path("type").asText())
        .containsExactly("MODIFIED", "DELETED");
    assertThat(events.get(0).at("/object/status/phase").asText()).isEqualTo("Running");
  }
}
