package io.kedge.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A REST client of the rules ingress that behaves like a real one: {@code connections} HTTP/1.1
 * keep-alive connections, each carrying one request at a time; messages due while all are busy wait
 * in a queue, and their latency counts from when they were due. One event-loop thread, so the
 * client costs little beside the all-in-one it measures.
 */
final class IngressClient implements AutoCloseable {
  private final URI uri;
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final List<Channel> channels = new ArrayList<>();

  /** Idle connections and waiting messages; touched on the event loop only. */
  private final Deque<Channel> idle = new ArrayDeque<>();

  private final Deque<Long> waiting = new ArrayDeque<>();
  private final ConcurrentLinkedQueue<Long> answered = new ConcurrentLinkedQueue<>();
  private volatile long answersFrom = Long.MIN_VALUE;
  private final AtomicLong failures = new AtomicLong();
  private final AtomicReference<String> lastFailure = new AtomicReference<>("");

  IngressClient(URI uri, int connections) throws InterruptedException {
    this.uri = uri;
    Bootstrap bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpClientCodec())
                        .addLast(new HttpObjectAggregator(1 << 20))
                        .addLast(new Answers());
                  }
                });
    for (int i = 0; i < connections; i++) {
      Channel channel = bootstrap.connect(uri.getHost(), uri.getPort()).sync().channel();
      channels.add(channel);
      group.next().execute(() -> idle.add(channel));
    }
  }

  /** Sends a message whose body is {@code dueNanos} on the next free connection. */
  void post(long dueNanos) {
    group
        .next()
        .execute(
            () -> {
              Channel channel = idle.poll();
              if (channel == null) {
                waiting.add(dueNanos);
              } else {
                send(channel, dueNanos);
              }
            });
  }

  private void send(Channel channel, long dueNanos) {
    FullHttpRequest request =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            HttpMethod.POST,
            uri.getRawPath(),
            Unpooled.copiedBuffer(Long.toString(dueNanos), StandardCharsets.US_ASCII));
    request.headers().set(HttpHeaderNames.HOST, uri.getHost());
    HttpUtil.setContentLength(request, request.content().readableBytes());
    HttpUtil.setKeepAlive(request, true);
    channel.attr(DUE).set(dueNanos);
    channel.writeAndFlush(request);
  }

  private static final io.netty.util.AttributeKey<Long> DUE =
      io.netty.util.AttributeKey.valueOf("kedge-bench-due");

  /** A response: records it, and the connection takes the next waiting message. */
  private final class Answers extends SimpleChannelInboundHandler<FullHttpResponse> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
      long due = ctx.channel().attr(DUE).get();
      if (due >= answersFrom) {
        answered.add(System.nanoTime() - due);
      }
      if (response.status().code() / 100 != 2) {
        failures.incrementAndGet();
        lastFailure.set(
            response.status() + " " + response.content().toString(StandardCharsets.UTF_8));
      }
      Long next = waiting.poll();
      if (next == null) {
        idle.add(ctx.channel());
      } else {
        send(ctx.channel(), next);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      failures.incrementAndGet();
      lastFailure.set(cause.toString());
      ctx.close();
    }
  }

  /** Only requests due from {@code nanoTime} on count in {@link #answerLatencies()}. */
  void countAnswersFrom(long nanoTime) {
    answersFrom = nanoTime;
    answered.clear(); // those recorded before; an earlier request answered later is not recorded
  }

  /** From when each request was due to its answer, in nanoseconds. */
  long[] answerLatencies() {
    return answered.stream().mapToLong(Long::longValue).toArray();
  }

  long failures() {
    return failures.get();
  }

  String lastFailure() {
    return lastFailure.get();
  }

  @Override
  public void close() {
    channels.forEach(Channel::close);
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
