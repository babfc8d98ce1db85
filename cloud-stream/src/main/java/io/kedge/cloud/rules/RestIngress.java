package io.kedge.cloud.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.runtime.http.HttpBounds;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.NodeNames;
import io.kedge.schemas.RuleMessage;
import io.kedge.schemas.RuleResponse;
import io.kedge.schemas.objects.KubeStatus;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST ingress of rules (KubeEdge's router on :9443): {@code POST /{node}/{namespace}/{path}}
 * is matched against the REST source paths of the namespace's rules as KubeEdge matches them (the
 * path or a path below it, {@code {param}} segments; see {@link RestPaths}), and the body goes to
 * the rule's target on that node, the sub-path after the rule's path appended to an eventbus topic
 * or a servicebus path. It is answered 202 with a message id only once the message is durably in
 * the node's Kafka topic, so it is delivered when the node is next connected. An unknown node or
 * path is a 404 Status, a body over the limit a 413.
 */
public final class RestIngress implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RestIngress.class);

  /**
   * The rest source endpoint's property choosing how a stored message is answered: {@code kedge}
   * (202 with the message id as JSON, the default) or {@code kubeedge} (KubeEdge's 200 "message
   * delivered", the id in header {@code X-Kedge-Message-Id}), for clients that test for 200.
   */
  static final String ANSWER_PROPERTY = "answer";

  static final String KUBEEDGE_ANSWER = "kubeedge";

  /**
   * Where accepted messages go, counted for their rule: each future completes once the message and
   * its count are durable, and a message that could not be stored is counted as failed there.
   */
  public interface Sender {
    /**
     * Stores {@code message} in its node's topic, counting a success for {@code countFor}, or
     * nothing when it is null (a servicebus request counts when answered).
     */
    CompletableFuture<Void> send(RuleMessage message, RuleBook.Route countFor);

    /** Stores {@code payload} in a cloud Kafka topic (a kafka target), counted for {@code rule}. */
    CompletableFuture<Void> sendToTopic(
        String topic, String key, byte[] payload, RuleBook.Route rule);

    /**
     * Counts an outcome that stored nothing: a servicebus answer ({@code error} null), a timeout.
     */
    CompletableFuture<Void> count(RuleBook.Route rule, String error);
  }

  private final EventLoopGroup group;
  private final Channel channel;
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();

  private RestIngress(EventLoopGroup group, Channel channel) {
    this.group = group;
    this.channel = channel;
  }

  public static RestIngress start(
      String bind,
      int port,
      long maxBodyBytes,
      RuleBook book,
      Sender sender,
      RuleResponses responses,
      Duration servicebusTimeout,
      HttpBounds bounds)
      throws InterruptedException {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    RestIngress[] self = new RestIngress[1];
    try {
      Channel channel =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      bounds.installBeforeCodec(ch.pipeline());
                      ch.pipeline().addLast(new HttpServerCodec());
                      bounds.installAfterCodec(ch.pipeline());
                      ch.pipeline()
                          // answers 413 itself when a body is over the limit
                          .addLast(new HttpObjectAggregator((int) Math.min(maxBodyBytes, 1L << 30)))
                          .addLast(
                              new Handler(
                                  book, sender, responses, servicebusTimeout, self[0], bounds));
                    }
                  })
              .bind(bind, port)
              .sync()
              .channel();
      self[0] = new RestIngress(group, channel);
      LOG.info("rules REST ingress listening on http://{}:{}", bind, self[0].port());
      return self[0];
    } catch (RuntimeException | InterruptedException e) {
      group.shutdownGracefully();
      throw e;
    }
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  public long acceptedCount() {
    return accepted.get();
  }

  public long refusedCount() {
    return refused.get();
  }

  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final RuleBook book;
    private final Sender sender;
    private final RestIngress ingress;
    private final RuleResponses responses;
    private final Duration servicebusTimeout;
    private final HttpBounds bounds;

    /** The in-flight slots this connection's requests hold (pipelined requests hold one each). */
    private int holding;

    Handler(
        RuleBook book,
        Sender sender,
        RuleResponses responses,
        Duration servicebusTimeout,
        RestIngress ingress,
        HttpBounds bounds) {
      this.bounds = bounds;
      this.book = book;
      this.sender = sender;
      this.responses = responses;
      this.servicebusTimeout = servicebusTimeout;
      this.ingress = ingress;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      if (!bounds.admit()) {
        FullHttpResponse busy =
            json(
                429,
                KubeStatus.failure(
                    429,
                    "TooManyRequests",
                    "the REST ingress is handling its maximum of requests; retry"));
        busy.headers().set("Retry-After", "1");
        ingress.refused.incrementAndGet();
        send(ctx, keepAlive, busy);
        return;
      }
      holding++;
      String path = new QueryStringDecoder(request.uri()).path();
      String[] parts = path.split("/", 4);
      if (parts.length < 4 || parts[1].isEmpty() || parts[2].isEmpty() || parts[3].isEmpty()) {
        reply(
            ctx,
            keepAlive,
            404,
            KubeStatus.failure(
                404,
                "NotFound",
                "the REST ingress serves /{node}/{namespace}/{path}, not " + path));
        return;
      }
      String node = parts[1];
      String namespace = parts[2];
      String rulePath = "/" + parts[3];
      if (!NodeNames.isValid(node) || !book.nodeExists(node)) {
        reply(ctx, keepAlive, 404, KubeStatus.notFound("nodes", node));
        return;
      }
      RuleBook.RestRoute matched = book.restRoute(namespace, rulePath).orElse(null);
      RuleBook.Route route = matched == null ? null : matched.route();
      String subPath = matched == null ? "" : matched.subPath();
      if (route == null) {
        reply(
            ctx,
            keepAlive,
            404,
            KubeStatus.failure(
                404,
                "NotFound",
                "no rule in namespace "
                    + namespace
                    + " has a REST source path that matches "
                    + rulePath));
        return;
      }
      if (route.targetType().equals("servicebus")) {
        callService(ctx, keepAlive, request, node, route, subPath);
        return;
      }
      if (!request.method().equals(HttpMethod.POST) && !request.method().equals(HttpMethod.PUT)) {
        reply(
            ctx,
            keepAlive,
            405,
            KubeStatus.failure(
                405,
                "MethodNotAllowed",
                request.method()
                    + " is not accepted: send the message with POST or PUT (only servicebus rules take any method)"));
        return;
      }
      if (route.targetType().equals("kafka")) {
        String id = UUID.randomUUID().toString();
        sender
            .sendToTopic(
                route.targetResource().path("topic").asText(),
                id,
                ByteBufUtil.getBytes(request.content()),
                route)
            .whenComplete(
                (ok, error) ->
                    ctx.executor().execute(() -> accepted(ctx, keepAlive, error, id, node, route)));
        return;
      }
      if (!route.targetType().equals("eventbus")) {
        reply(
            ctx,
            keepAlive,
            501,
            KubeStatus.failure(
                501,
                "NotImplemented",
                "rule "
                    + route.ruleKey()
                    + " targets a "
                    + route.targetType()
                    + " endpoint, which the REST ingress does not serve yet"));
        return;
      }
      String id = UUID.randomUUID().toString();
      Map<String, String> headers = new LinkedHashMap<>();
      String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
      if (contentType != null) {
        headers.put("Content-Type", contentType);
      }
      RuleMessage message =
          new RuleMessage(
              id,
              node,
              namespace,
              route.name(),
              "eventbus",
              RestPaths.join(route.targetResource().path("topic").asText(), subPath),
              headers,
              ByteBufUtil.getBytes(request.content()));
      sender
          .send(message, route)
          .whenComplete(
              (ok, error) ->
                  ctx.executor().execute(() -> accepted(ctx, keepAlive, error, id, node, route)));
    }

    /** 202 with the message id once stored, 503 if Kafka did not take it. */
    private void accepted(
        ChannelHandlerContext ctx,
        boolean keepAlive,
        Throwable error,
        String id,
        String node,
        RuleBook.Route route) {
      Throwable cause =
          error instanceof CompletionException && error.getCause() != null
              ? error.getCause()
              : error;
      if (cause instanceof RecordTooLargeException) {
        reply(
            ctx,
            keepAlive,
            413,
            KubeStatus.failure(413, "RequestEntityTooLarge", cause.getMessage()));
        return;
      }
      if (error != null) {
        LOG.warn("rule message {} for node {} not stored: {}", id, node, error.toString());
        reply(
            ctx,
            keepAlive,
            503,
            KubeStatus.failure(
                503,
                "ServiceUnavailable",
                "the message could not be stored in Kafka: " + error.getMessage()));
        return;
      }
      ingress.accepted.incrementAndGet();
      if (KUBEEDGE_ANSWER.equals(route.sourceProperties().path(ANSWER_PROPERTY).asText())) {
        // KubeEdge's router answers a delivered rest message 200 "message delivered"
        FullHttpResponse response =
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.OK,
                Unpooled.copiedBuffer("message delivered", StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.headers().set("X-Kedge-Message-Id", id);
        send(ctx, keepAlive, response);
        return;
      }
      ObjectNode body = EventCodec.json().createObjectNode();
      body.put("messageId", id).put("node", node).put("rule", route.ruleKey());
      reply(ctx, keepAlive, 202, body);
    }

    /** rest → servicebus: the edge service's answer is this request's answer. */
    private void callService(
        ChannelHandlerContext ctx,
        boolean keepAlive,
        FullHttpRequest request,
        String node,
        RuleBook.Route route,
        String subPath) {
      String id = UUID.randomUUID().toString();
      Map<String, String> headers = new LinkedHashMap<>();
      request
          .headers()
          .forEach(
              h -> {
                if (!RuleMessage.hopByHop(h.getKey())) {
                  headers.put(h.getKey(), h.getValue());
                }
              });
      headers.put(RuleMessage.METHOD_HEADER, request.method().name());
      headers.put(
          RuleMessage.DEADLINE_HEADER,
          Long.toString(System.currentTimeMillis() + servicebusTimeout.toMillis()));
      String query = new QueryStringDecoder(request.uri()).rawQuery();
      String target =
          "http://127.0.0.1:"
              + route.targetProperties().path("service_port").asText()
              + RestPaths.join(route.targetResource().path("path").asText(), subPath)
              + (query.isEmpty() ? "" : "?" + query);
      RuleMessage message =
          new RuleMessage(
              id,
              node,
              route.namespace(),
              route.name(),
              "servicebus",
              target,
              headers,
              ByteBufUtil.getBytes(request.content()));
      CompletableFuture<RuleResponse> answer = responses.await(id, node, servicebusTimeout);
      sender
          .send(message, null)
          .whenComplete(
              (ok, error) -> {
                if (error != null) {
                  answer.completeExceptionally(error);
                }
              });
      answer.whenComplete(
          (response, error) -> {
            if (error instanceof java.util.concurrent.TimeoutException) {
              sender.count(route, "no answer from node " + node + " within the timeout");
              ctx.executor().execute(() -> timedOut(ctx, keepAlive, node, route));
            } else if (error != null) {
              // not stored: counted as failed where it failed
              ctx.executor()
                  .execute(
                      () ->
                          reply(
                              ctx,
                              keepAlive,
                              503,
                              KubeStatus.failure(
                                  503,
                                  "ServiceUnavailable",
                                  "the message could not be stored in Kafka: "
                                      + error.getMessage())));
            } else {
              // counted before the client hears it, so a crash cannot lose an answer's count
              sender
                  .count(route, null)
                  .whenComplete(
                      (counted, e) ->
                          ctx.executor()
                              .execute(
                                  () -> {
                                    ingress.accepted.incrementAndGet();
                                    relay(ctx, keepAlive, response);
                                  }));
            }
          });
    }

    private void timedOut(
        ChannelHandlerContext ctx, boolean keepAlive, String node, RuleBook.Route route) {
      reply(
          ctx,
          keepAlive,
          504,
          KubeStatus.failure(
              504,
              "Timeout",
              "the service of rule "
                  + route.ruleKey()
                  + " on node "
                  + node
                  + " did not answer within "
                  + servicebusTimeout.toSeconds()
                  + " s"));
    }

    private void relay(ChannelHandlerContext ctx, boolean keepAlive, RuleResponse answer) {
      byte[] body = answer.payload();
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(answer.code()),
              Unpooled.wrappedBuffer(body));
      answer
          .headers()
          .forEach(
              (name, value) -> {
                if (!RuleMessage.hopByHop(name)) {
                  response.headers().set(name, value);
                }
              });
      send(ctx, keepAlive, response);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      while (holding > 0) {
        release(); // requests the client gave up on
      }
      super.channelInactive(ctx);
    }

    private void release() {
      if (holding > 0) {
        holding--;
        bounds.done();
      }
    }

    /**
     * Writes {@code response} with its length, closing the connection unless kept alive; the
     * request's in-flight slot is free again.
     */
    private void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
      release();
      HttpUtil.setContentLength(response, response.content().readableBytes());
      HttpUtil.setKeepAlive(response, keepAlive);
      var future = ctx.writeAndFlush(response);
      if (!keepAlive) {
        future.addListener(ChannelFutureListener.CLOSE);
      }
    }

    private void reply(ChannelHandlerContext ctx, boolean keepAlive, int code, JsonNode body) {
      if (code >= 400) {
        ingress.refused.incrementAndGet();
      }
      send(ctx, keepAlive, json(code, body));
    }

    private static FullHttpResponse json(int code, JsonNode body) {
      byte[] bytes;
      try {
        bytes = EventCodec.json().writeValueAsBytes(body);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(code),
              Unpooled.wrappedBuffer(bytes));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
      return response;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("REST ingress connection failed: {}", cause.toString());
      ctx.close();
    }
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
