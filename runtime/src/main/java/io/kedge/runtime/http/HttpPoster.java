package io.kedge.runtime.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.AbstractChannelPoolMap;
import io.netty.channel.pool.ChannelPool;
import io.netty.channel.pool.SimpleChannelPool;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * HTTP/1.1 POSTs over keep-alive connections pooled per origin, all on one Netty event loop thread:
 * a request is written and its answer read there, and the caller gets a future, so no thread waits
 * per request in flight. Kedge's rule deliveries POST thousands of messages a second to a few
 * targets; the JDK client cost several thread hand-offs and about as much CPU per request as the
 * rest of the delivery (decision record 0009). Bodies of answers are read and dropped.
 *
 * <p>Callers bound the requests in flight; each one in flight holds a connection, which returns to
 * its origin's pool when the answer has been read and the server keeps it open. {@code https} uses
 * the JDK's default trust store and checks the host name, as the JDK client does.
 */
public final class HttpPoster implements AutoCloseable {
  private static final AttributeKey<Exchange> EXCHANGE = AttributeKey.valueOf("kedge-exchange");

  /** As long as the JDK client keeps an idle connection (jdk.httpclient.keepalive.timeout). */
  static final Duration IDLE_CONNECTION = Duration.ofSeconds(30);

  private final EventLoopGroup loop;
  private final SslContext tls;
  private final AbstractChannelPoolMap<Origin, SimpleChannelPool> pools;

  private record Origin(boolean secure, String host, int port) {
    static Origin of(URI uri) {
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new IllegalArgumentException("not an http or https URL: " + uri);
      }
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("no host in URL: " + uri);
      }
      boolean secure = scheme.equals("https");
      int port = uri.getPort() != -1 ? uri.getPort() : secure ? 443 : 80;
      return new Origin(secure, uri.getHost(), port);
    }

    String hostHeader() {
      boolean defaultPort = port == (secure ? 443 : 80);
      return defaultPort ? host : host + ":" + port;
    }
  }

  /** One request on one connection: its future, and the status once the answer's head is read. */
  private static final class Exchange {
    final CompletableFuture<Integer> result = new CompletableFuture<>();
    final ChannelPool pool;
    int status;
    boolean keepAlive;
    boolean released;

    Exchange(ChannelPool pool) {
      this.pool = pool;
    }

    /** Ends the exchange once: the connection goes back to the pool, closed unless reusable. */
    void finish(Channel channel, boolean reusable) {
      if (released) {
        return;
      }
      released = true;
      channel.attr(EXCHANGE).set(null);
      if (!reusable) {
        channel.close();
      }
      pool.release(channel);
    }
  }

  /**
   * @param name the event loop thread's name
   * @param connectTimeout how long a new connection may take
   */
  public HttpPoster(String name, Duration connectTimeout) {
    this(name, connectTimeout, defaultTls());
  }

  /**
   * @param tls the client TLS context for {@code https} origins (its trust decides which servers
   *     are accepted)
   */
  public HttpPoster(String name, Duration connectTimeout, SslContext tls) {
    this(name, connectTimeout, tls, IDLE_CONNECTION);
  }

  /**
   * @param idleConnection how long a pooled connection may stay unused before it is closed: a
   *     connection a middlebox has dropped silently would otherwise hold the next request until its
   *     timeout
   */
  HttpPoster(String name, Duration connectTimeout, SslContext tls, Duration idleConnection) {
    this.tls = tls;
    this.loop =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory(name, true), NioIoHandler.newFactory());
    Bootstrap bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
    this.pools =
        new AbstractChannelPoolMap<>() {
          @Override
          protected SimpleChannelPool newPool(Origin origin) {
            return new SimpleChannelPool(
                bootstrap.clone().remoteAddress(origin.host(), origin.port()),
                new AbstractChannelPoolHandler() {
                  @Override
                  public void channelCreated(Channel channel) {
                    if (origin.secure()) {
                      channel
                          .pipeline()
                          .addLast(tls.newHandler(channel.alloc(), origin.host(), origin.port()));
                    }
                    channel
                        .pipeline()
                        .addLast(
                            new IdleStateHandler(
                                0, 0, idleConnection.toMillis(), TimeUnit.MILLISECONDS))
                        .addLast(new HttpClientCodec())
                        .addLast(new AnswerReader());
                  }
                });
          }
        };
  }

  /** The JDK's default trust, host names checked. */
  public static SslContext defaultTls() {
    try {
      return SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS").build();
    } catch (SSLException e) {
      throw new IllegalStateException("the JDK's default TLS client context is unusable: " + e, e);
    }
  }

  /**
   * @throws IllegalArgumentException when {@code uri} is not an http or https URL with a host
   */
  public static void requireHttpUrl(URI uri) {
    Origin.of(uri);
  }

  /**
   * POSTs {@code body} to {@code uri}.
   *
   * @return the answer's status code; completes exceptionally with an {@link IOException} when
   *     connecting or the exchange fails, with {@link HttpTimeoutException} after {@code timeout}
   * @throws IllegalArgumentException when {@code uri} is not an http or https URL with a host
   */
  public CompletableFuture<Integer> post(
      URI uri, Map<String, String> headers, byte[] body, Duration timeout) {
    Origin origin = Origin.of(uri);
    FullHttpRequest request =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.POST, target(uri), Unpooled.wrappedBuffer(body));
    request.headers().set(HttpHeaderNames.HOST, origin.hostHeader());
    headers.forEach((name, value) -> request.headers().set(name, value));
    HttpUtil.setContentLength(request, body.length);
    SimpleChannelPool pool = pools.get(origin);
    Exchange exchange = new Exchange(pool);
    pool.acquire()
        .addListener(
            (Future<Channel> acquired) -> {
              if (!acquired.isSuccess()) {
                request.release();
                exchange.result.completeExceptionally(
                    new IOException(
                        "cannot connect to " + origin.hostHeader() + ": " + acquired.cause(),
                        acquired.cause()));
                return;
              }
              send(acquired.getNow(), exchange, request, timeout);
            });
    return exchange.result;
  }

  private static void send(
      Channel channel, Exchange exchange, FullHttpRequest request, Duration timeout) {
    channel.attr(EXCHANGE).set(exchange);
    var deadline =
        channel
            .eventLoop()
            .schedule(
                () -> {
                  if (exchange.result.completeExceptionally(
                      new HttpTimeoutException("no answer within " + timeout))) {
                    exchange.finish(channel, false);
                  }
                },
                timeout.toNanos(),
                TimeUnit.NANOSECONDS);
    exchange.result.whenComplete((status, failure) -> deadline.cancel(false));
    channel
        .writeAndFlush(request)
        .addListener(
            written -> {
              if (!written.isSuccess()
                  && exchange.result.completeExceptionally(
                      new IOException("cannot send the request: " + written.cause()))) {
                exchange.finish(channel, false);
              }
            });
  }

  private static String target(URI uri) {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
  }

  /** Reads each answer on its connection and ends the exchange it belongs to. */
  private static final class AnswerReader extends SimpleChannelInboundHandler<HttpObject> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
      Exchange exchange = ctx.channel().attr(EXCHANGE).get();
      if (exchange == null) {
        ctx.close(); // an answer nobody asked for (or after a timeout): the connection is unusable
        return;
      }
      if (message instanceof HttpResponse response) {
        exchange.status = response.status().code();
        exchange.keepAlive = HttpUtil.isKeepAlive(response);
      }
      if (message instanceof LastHttpContent && exchange.status / 100 == 1) {
        return; // an interim answer (100 Continue, 103 Early Hints): the final one follows
      }
      if (message instanceof LastHttpContent) {
        exchange.finish(ctx.channel(), exchange.keepAlive);
        exchange.result.complete(exchange.status);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
      if (event instanceof IdleStateEvent && ctx.channel().attr(EXCHANGE).get() == null) {
        ctx.close(); // idle in the pool: the pool's health check drops it on the next acquire
        return;
      }
      super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      fail(ctx, new IOException("the server closed the connection before answering"));
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(ctx, cause instanceof IOException io ? io : new IOException(cause.toString(), cause));
    }

    private static void fail(ChannelHandlerContext ctx, IOException failure) {
      Exchange exchange = ctx.channel().attr(EXCHANGE).get();
      if (exchange != null) {
        exchange.finish(ctx.channel(), false);
        exchange.result.completeExceptionally(failure);
      } else {
        ctx.close();
      }
    }
  }

  @Override
  public void close() {
    pools.close();
    loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
