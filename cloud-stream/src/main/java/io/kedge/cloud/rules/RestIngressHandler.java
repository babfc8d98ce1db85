package io.kedge.cloud.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.kube.objects.KubeStatus;
import io.kedge.runtime.http.HttpBounds;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.NodeNames;
import io.kedge.schemas.RuleMessage;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One REST ingress connection: takes an in-flight slot per request (429 beyond the cap), routes
 * {@code /{node}/{namespace}/{path}} to its rule, and hands the body to the rule's target: stored
 * in the node's topic (eventbus) or a cloud topic (kafka) and answered once durable, or called on
 * the node ({@link ServicebusCall}).
 */
final class RestIngressHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(RestIngressHandler.class);

  private final RuleBook book;
  private final RestIngress.Sender sender;
  private final ServicebusCall servicebus;
  private final RestIngress ingress;
  private final HttpBounds bounds;

  /** The in-flight slots this connection's requests hold (pipelined requests hold one each). */
  private int holding;

  RestIngressHandler(
      RuleBook book,
      RestIngress.Sender sender,
      ServicebusCall servicebus,
      RestIngress ingress,
      HttpBounds bounds) {
    this.book = book;
    this.sender = sender;
    this.servicebus = servicebus;
    this.ingress = ingress;
    this.bounds = bounds;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (!bounds.admit()) {
      FullHttpResponse busy =
          IngressExchange.json(
              429,
              KubeStatus.failure(
                  429,
                  "TooManyRequests",
                  "the REST ingress is handling its maximum of requests; retry"));
      busy.headers().set("Retry-After", "1");
      refused();
      new IngressExchange(ctx, keepAlive, this, false).send(busy);
      return;
    }
    holding++;
    route(new IngressExchange(ctx, keepAlive, this, true), request);
  }

  private void route(IngressExchange exchange, FullHttpRequest request) {
    String path = new QueryStringDecoder(request.uri()).path();
    String[] parts = path.split("/", 4);
    if (parts.length < 4 || parts[1].isEmpty() || parts[2].isEmpty() || parts[3].isEmpty()) {
      exchange.reply(
          404,
          KubeStatus.failure(
              404, "NotFound", "the REST ingress serves /{node}/{namespace}/{path}, not " + path));
      return;
    }
    String node = parts[1];
    String namespace = parts[2];
    String rulePath = "/" + parts[3];
    if (!NodeNames.isValid(node) || !book.nodeExists(node)) {
      exchange.reply(404, KubeStatus.notFound("nodes", node));
      return;
    }
    RuleBook.RestRoute matched = book.restRoute(namespace, rulePath).orElse(null);
    if (matched == null) {
      exchange.reply(
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
    RuleBook.Route route = matched.route();
    if (route.targetType().equals("servicebus")) {
      servicebus.call(exchange, request, node, route, matched.subPath());
      return;
    }
    if (!request.method().equals(HttpMethod.POST) && !request.method().equals(HttpMethod.PUT)) {
      exchange.reply(
          405,
          KubeStatus.failure(
              405,
              "MethodNotAllowed",
              request.method()
                  + " is not accepted: send the message with POST or PUT (only servicebus rules"
                  + " take any method)"));
      return;
    }
    String id = UUID.randomUUID().toString();
    CompletableFuture<Void> stored;
    switch (route.targetType()) {
      case "kafka" ->
          stored =
              sender.sendToTopic(
                  route.targetResource().path("topic").asText(),
                  id,
                  ByteBufUtil.getBytes(request.content()),
                  route);
      case "eventbus" -> stored = sender.send(eventbusMessage(id, request, node, matched), route);
      default -> {
        exchange.reply(
            501,
            KubeStatus.failure(
                501,
                "NotImplemented",
                "rule "
                    + route.ruleKey()
                    + " targets a "
                    + route.targetType()
                    + " endpoint, which the REST ingress does not serve"));
        return;
      }
    }
    stored.whenComplete(
        (ok, error) -> exchange.later(() -> stored(exchange, error, id, node, route)));
  }

  private static RuleMessage eventbusMessage(
      String id, FullHttpRequest request, String node, RuleBook.RestRoute matched) {
    RuleBook.Route route = matched.route();
    Map<String, String> headers = new LinkedHashMap<>();
    String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
    if (contentType != null) {
      headers.put("Content-Type", contentType);
    }
    return new RuleMessage(
        id,
        node,
        route.namespace(),
        route.name(),
        "eventbus",
        RestPaths.join(route.targetResource().path("topic").asText(), matched.subPath()),
        headers,
        ByteBufUtil.getBytes(request.content()));
  }

  /** 202 with the message id once stored; 413 if larger than a Kafka record, 503 if not taken. */
  private void stored(
      IngressExchange exchange, Throwable error, String id, String node, RuleBook.Route route) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof RecordTooLargeException) {
      exchange.reply(413, KubeStatus.failure(413, "RequestEntityTooLarge", cause.getMessage()));
      return;
    }
    if (error != null) {
      LOG.warn("rule message {} for node {} not stored: {}", id, node, error.toString());
      exchange.reply(
          503,
          KubeStatus.failure(
              503,
              "ServiceUnavailable",
              "the message could not be stored in Kafka: " + error.getMessage()));
      return;
    }
    exchange.accepted();
    if (RestIngress.KUBEEDGE_ANSWER.equals(
        route.sourceProperties().path(RestIngress.ANSWER_PROPERTY).asText())) {
      // KubeEdge's router answers a delivered rest message 200 "message delivered"
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.OK,
              Unpooled.copiedBuffer("message delivered", StandardCharsets.UTF_8));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
      response.headers().set("X-Kedge-Message-Id", id);
      exchange.send(response);
      return;
    }
    ObjectNode body = EventCodec.json().createObjectNode();
    body.put("messageId", id).put("node", node).put("rule", route.ruleKey());
    exchange.reply(202, body);
  }

  /** A request of this connection was answered: its in-flight slot is free again. */
  void answered() {
    if (holding > 0) {
      holding--;
      bounds.done();
    }
  }

  void accepted() {
    ingress.countAccepted();
  }

  void refused() {
    ingress.countRefused();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    while (holding > 0) {
      answered(); // requests the client gave up on
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("REST ingress connection failed: {}", cause.toString());
    ctx.close();
  }
}
