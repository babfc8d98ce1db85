package io.kedge.cloud.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kedge.runtime.http.HttpBounds;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.RuleMessage;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The REST ingress's handler on an {@link EmbeddedChannel}: routing to a rule, the answers for what
 * it cannot route, and the answer that waits until the message is stored.
 */
class RestIngressHandlerChannelTest {
  private final RuleBook book = RuleObjects.greetBook("hello");
  private final HeldStores sender = new HeldStores();
  private final LinkedBlockingQueue<RuleMessage> messages = sender.messages;
  private final LinkedBlockingQueue<CompletableFuture<Void>> stores = sender.stores;
  private HttpBounds bounds;
  private RestIngress ingress;
  private EmbeddedChannel channel;

  @BeforeEach
  void start() throws Exception {
    bounds =
        new HttpBounds(new HttpBounds.Limits(10, 1, Duration.ofSeconds(30), Duration.ofSeconds(5)));
    // the counters live on the ingress; its own socket is not used here
    ingress =
        RestIngress.start(
            "127.0.0.1", 0, 1 << 20, book, sender, null, Duration.ofSeconds(5), bounds);
    channel = new EmbeddedChannel(new RestIngressHandler(book, sender, null, ingress, bounds));
  }

  @AfterEach
  void stop() {
    channel.finishAndReleaseAll();
    ingress.close();
  }

  private static FullHttpRequest request(HttpMethod method, String uri, String body) {
    FullHttpRequest request =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, method, uri, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    request.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
    HttpUtil.setContentLength(request, body.length());
    return request;
  }

  private FullHttpResponse answer() {
    channel.runPendingTasks();
    return channel.readOutbound();
  }

  private static JsonNode json(FullHttpResponse response) throws Exception {
    try {
      return EventCodec.json().readTree(response.content().toString(StandardCharsets.UTF_8));
    } finally {
      response.release();
    }
  }

  @Test
  void whatCannotBeRoutedIsAnsweredAtOnceNamingWhy() throws Exception {
    channel.writeInbound(request(HttpMethod.POST, "/edge-1/default", "x"));
    FullHttpResponse shape = answer();
    assertThat(shape.status().code()).isEqualTo(404);
    assertThat(json(shape).path("message").asText()).contains("/{node}/{namespace}/{path}");

    channel.writeInbound(request(HttpMethod.POST, "/edge-9/default/greet", "x"));
    FullHttpResponse unknownNode = answer();
    assertThat(unknownNode.status().code()).isEqualTo(404);
    assertThat(json(unknownNode).path("message").asText()).contains("edge-9");

    channel.writeInbound(request(HttpMethod.POST, "/edge-1/default/nothing", "x"));
    FullHttpResponse noRule = answer();
    assertThat(noRule.status().code()).isEqualTo(404);
    assertThat(json(noRule).path("message").asText()).contains("/nothing");

    channel.writeInbound(request(HttpMethod.GET, "/edge-1/default/greet", ""));
    FullHttpResponse get = answer();
    assertThat(get.status().code()).isEqualTo(405);
    json(get);
    assertThat(messages).isEmpty();
    assertThat(ingress.refusedCount()).isEqualTo(4);
    assertThat(bounds.admit()).as("every answer gave its slot back").isTrue();
    bounds.done();
  }

  @Test
  void aMessageIsAnsweredOnceStoredWithItsIdAndSubPath() throws Exception {
    channel.writeInbound(request(HttpMethod.POST, "/edge-1/default/greet/room/7", "hi"));
    RuleMessage message = messages.poll();
    assertThat(message).isNotNull();
    assertThat(message.node()).isEqualTo("edge-1");
    assertThat(message.target()).isEqualTo("hello/room/7"); // KubeEdge passes the sub-path on
    assertThat(new String(message.payload(), StandardCharsets.UTF_8)).isEqualTo("hi");
    assertThat(message.headers()).containsEntry("Content-Type", "text/plain");
    assertThat(answer()).as("no answer before the message is stored").isNull();

    stores.poll().complete(null);
    FullHttpResponse accepted = answer();
    assertThat(accepted.status().code()).isEqualTo(202);
    JsonNode body = json(accepted);
    assertThat(body.path("messageId").asText()).isEqualTo(message.messageId());
    assertThat(body.path("rule").asText()).isEqualTo("default/greet");
    assertThat(ingress.acceptedCount()).isEqualTo(1);
  }

  @Test
  void aMessageKafkaRefusesIs413WhenTooLargeElse503() throws Exception {
    channel.writeInbound(request(HttpMethod.POST, "/edge-1/default/greet", "big"));
    stores.poll().completeExceptionally(new RecordTooLargeException("over max.request.size"));
    FullHttpResponse tooLarge = answer();
    assertThat(tooLarge.status().code()).isEqualTo(413);
    json(tooLarge);

    channel.writeInbound(request(HttpMethod.POST, "/edge-1/default/greet", "x"));
    stores.poll().completeExceptionally(new IllegalStateException("broker gone"));
    FullHttpResponse unavailable = answer();
    assertThat(unavailable.status().code()).isEqualTo(503);
    assertThat(json(unavailable).path("message").asText()).contains("broker gone");
  }

  @Test
  void aRequestBeyondTheInFlightCapIs429UntilTheFirstIsAnswered() throws Exception {
    channel.writeInbound(request(HttpMethod.POST, "/edge-1/default/greet", "one"));
    channel.writeInbound(request(HttpMethod.POST, "/edge-1/default/greet", "two"));
    FullHttpResponse busy = answer();
    assertThat(busy.status().code()).isEqualTo(429);
    assertThat(busy.headers().get("Retry-After")).isEqualTo("1");
    json(busy);
    assertThat(messages).hasSize(1);

    stores.poll().complete(null);
    FullHttpResponse first = answer();
    assertThat(first.status().code()).isEqualTo(202);
    json(first);
    channel.writeInbound(request(HttpMethod.POST, "/edge-1/default/greet", "three"));
    assertThat(messages).hasSize(2); // the slot came back
  }
}
