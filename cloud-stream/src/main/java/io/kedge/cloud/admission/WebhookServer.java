package io.kedge.cloud.admission;

import com.fasterxml.jackson.databind.JsonNode;
import io.kedge.runtime.http.HttpBounds;
import io.kedge.runtime.http.NettyServers;
import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.schemas.EventCodec;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kedge's admission webhooks over HTTPS: the offline-autonomy one ({@code POST /offlinemigration})
 * and, where rules run, the validation of Rules and RuleEndpoints ({@code POST /rules}), each
 * taking an AdmissionReview. A body that is not an AdmissionReview gets 400 with the reason, as
 * kube-apiserver then reports it on the request (and {@code failurePolicy} decides). What a client
 * may hold is bounded as on kedge's other HTTP servers ({@link #LIMITS}): bodies of 3 MiB, idle
 * connections, slow requests, connections and requests in flight.
 */
public final class WebhookServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookServer.class);
  public static final String PATH = "/offlinemigration";
  private static final int MAX_BODY_BYTES = 3 * 1024 * 1024;

  /**
   * kube-apiserver calls a webhook over a few kept-alive connections and waits at most 30 s (its
   * {@code timeoutSeconds} cap): 256 connections, 64 reviews in flight, a request whole within 10
   * s, connections idle for 90 s closed.
   */
  static final HttpBounds.Limits LIMITS =
      new HttpBounds.Limits(256, 64, Duration.ofSeconds(90), Duration.ofSeconds(10));

  private final EventLoopGroup group;

  /** Reviews run here, off the event loop: a slow one must not stop others being refused. */
  private final ExecutorService reviewers;

  private final Channel channel;
  private final HttpBounds bounds;
  private final Map<String, AdmissionReviewer> paths = new ConcurrentHashMap<>();
  private final LongAdder reviews = new LongAdder();
  private final LongAdder patched = new LongAdder();

  private WebhookServer(
      EventLoopGroup group, ExecutorService reviewers, Channel channel, HttpBounds bounds) {
    this.group = group;
    this.reviewers = reviewers;
    this.channel = channel;
    this.bounds = bounds;
  }

  public static WebhookServer start(
      String host, int port, SSLContext tls, AdmissionReviewer review) {
    return start(host, port, tls, review, LIMITS);
  }

  static WebhookServer start(
      String host, int port, SSLContext tls, AdmissionReviewer review, HttpBounds.Limits limits) {
    SslContext ssl =
        new JdkSslContext(
            tls,
            false,
            null,
            IdentityCipherSuiteFilter.INSTANCE,
            null,
            ClientAuth.NONE,
            null,
            false);
    HttpBounds bounds = new HttpBounds(limits);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    ExecutorService reviewers = DaemonThreads.pool("kedge-webhook", 4);
    WebhookServer[] self = new WebhookServer[1];
    try {
      Channel channel =
          NettyServers.bootstrap(
                  group,
                  ch -> {
                    ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                    bounds.installHttpCodec(ch.pipeline());
                    ch.pipeline()
                        .addLast(new HttpObjectAggregator(MAX_BODY_BYTES))
                        .addLast(new Handler(self[0]));
                  })
              .bind(host, port)
              .syncUninterruptibly()
              .channel();
      self[0] = new WebhookServer(group, reviewers, channel, bounds);
    } catch (Exception e) { // Netty rethrows the bind's IOException unchecked
      group.shutdownGracefully();
      reviewers.shutdownNow();
      throw new UncheckedIOException(
          "the admission webhook cannot listen on " + host + ":" + port + ": " + e.getMessage(),
          e instanceof IOException io ? io : new IOException(e));
    }
    self[0].paths.put(PATH, review);
    LOG.info("offline-autonomy webhook on https://{}:{}{}", host, self[0].port(), PATH);
    return self[0];
  }

  /** Serves {@code reviewer} on {@code path} too. */
  public void serve(String path, AdmissionReviewer reviewer) {
    paths.put(path, reviewer);
    LOG.info("admission webhook serves {}", path);
  }

  /** One connection's requests: an AdmissionReview in, its answer out. */
  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final WebhookServer server;

    Handler(WebhookServer server) {
      this.server = server;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      if (!server.bounds.admit()) {
        FullHttpResponse busy = json(429, error("the webhook is answering its maximum of reviews"));
        busy.headers().set("Retry-After", "1");
        write(ctx, keepAlive, busy);
        return;
      }
      request.retain();
      server.reviewers.execute(
          () -> {
            try {
              write(ctx, keepAlive, server.answer(request));
            } finally {
              request.release();
              server.bounds.done();
            }
          });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("webhook connection closed: {}", cause.toString());
      ctx.close();
    }
  }

  private FullHttpResponse answer(FullHttpRequest request) {
    AdmissionReviewer review = paths.get(new QueryStringDecoder(request.uri()).path());
    if (review == null) {
      return json(404, error("no admission webhook at " + request.uri()));
    }
    if (!request.method().equals(HttpMethod.POST)) {
      return json(405, error("use POST with an AdmissionReview"));
    }
    try {
      JsonNode body = EventCodec.json().readTree(new ByteBufInputStream(request.content()));
      JsonNode answer = review.answer(body);
      reviews.increment();
      log(body, answer);
      return json(200, answer.toString());
    } catch (IOException | IllegalArgumentException e) {
      String reason = e.getMessage() == null ? e.toString() : e.getMessage().split("\n")[0];
      LOG.warn("admission request refused: {}", reason);
      return json(400, error(reason));
    }
  }

  private void log(JsonNode request, JsonNode answer) {
    if (!answer.path("response").path("allowed").asBoolean(true)) {
      LOG.info(
          "{} {}/{} refused: {}",
          request.at("/request/kind/kind").asText(),
          request.at("/request/namespace").asText(),
          request.at("/request/name").asText(request.at("/request/object/metadata/name").asText()),
          answer.at("/response/status/message").asText());
    }
    if (answer.path("response").has("patch")) {
      patched.increment();
      LOG.info(
          "pod {}/{} ({}): offline-autonomy tolerations patched",
          request.at("/request/namespace").asText(),
          request.at("/request/object/metadata/name").asText(request.at("/request/name").asText()),
          request.at("/request/operation").asText());
    }
  }

  private static String error(String message) {
    return EventCodec.json().createObjectNode().put("error", message).toString();
  }

  private static FullHttpResponse json(int code, String body) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(code),
            Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    return response;
  }

  private static void write(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse r) {
    HttpUtil.setContentLength(r, r.content().readableBytes());
    if (keepAlive) {
      HttpUtil.setKeepAlive(r, true);
      ctx.writeAndFlush(r);
    } else {
      ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** AdmissionReviews answered, and how many of them carried a patch. */
  public long reviews() {
    return reviews.sum();
  }

  public long patched() {
    return patched.sum();
  }

  /** Exports the reviews answered and patched, and what clients hold and were refused. */
  public void bindMetrics(MeterRegistry registry) {
    FunctionCounter.builder("kedge_webhook_reviews_total", this, WebhookServer::reviews)
        .description("AdmissionReviews answered by the admission webhooks")
        .register(registry);
    FunctionCounter.builder("kedge_webhook_patched_total", this, WebhookServer::patched)
        .description("AdmissionReviews answered with a tolerations patch")
        .register(registry);
    bounds.register(registry, "kedge_webhook", "admission webhook", Tags.empty());
  }

  /** Connections held now, and those (reason=connections) and reviews (in-flight) refused. */
  public HttpBounds bounds() {
    return bounds;
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    reviewers.shutdownNow();
  }
}
