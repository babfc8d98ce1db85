package io.kedge.bench;

import io.kedge.runtime.http.NettyServers;
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
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The service a rule POSTs to in the benchmark: counts each POST to its path and answers 204 on a
 * keep-alive connection. It stands in for a service on another machine, so it is kept cheap (one
 * event-loop thread) to leave the all-in-one's cores to what the benchmark measures.
 */
final class HttpTarget implements AutoCloseable {
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;

  /** Counts every request to {@code path} in {@code posted}; other paths are answered 404. */
  HttpTarget(String path, AtomicInteger posted) throws InterruptedException {
    server =
        NettyServers.bootstrap(
                group,
                channel ->
                    channel
                        .pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(1 << 20))
                        .addLast(new Answer(path, posted)))
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final String path;
    private final AtomicInteger posted;

    Answer(String path, AtomicInteger posted) {
      this.path = path;
      this.posted = posted;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      boolean ours = request.uri().equals(path);
      if (ours) {
        posted.incrementAndGet();
      }
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              request.protocolVersion(),
              ours ? HttpResponseStatus.NO_CONTENT : HttpResponseStatus.NOT_FOUND);
      if (!ours) {
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
      }
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      HttpUtil.setKeepAlive(response, keepAlive);
      var written = ctx.writeAndFlush(response);
      if (!keepAlive) {
        written.addListener(ChannelFutureListener.CLOSE);
      }
    }
  }
}
