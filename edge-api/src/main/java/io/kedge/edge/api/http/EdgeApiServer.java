package io.kedge.edge.api.http;

import io.kedge.edge.api.view.View;
import io.kedge.edge.api.write.EdgeWrites;
import io.kedge.edge.api.write.WriteUplink;
import io.kedge.kube.authorization.NodeRestriction;
import io.kedge.kube.objects.OfflineAutonomy;
import io.kedge.runtime.http.HttpBounds;
import io.kedge.runtime.http.NettyServers;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Kubernetes-compatible HTTP server of one edge node (Netty). */
public final class EdgeApiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeApiServer.class);

  private final EventLoopGroup group;
  private final Channel channel;
  private final int port;
  private final ApiStats stats;

  private final EdgeWrites writes;
  private final HttpBounds bounds;

  private EdgeApiServer(
      EventLoopGroup group, Channel channel, ApiStats stats, EdgeWrites writes, HttpBounds bounds) {
    this.group = group;
    this.bounds = bounds;
    this.channel = channel;
    this.stats = stats;
    this.writes = writes;
    this.port = ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** Binds and starts a read-only API (writes get 405), as tests of reads use. */
  public static EdgeApiServer start(
      View view, EdgeApiOptions options, BooleanSupplier ready, String kedgeVersion)
      throws InterruptedException {
    return start(view, options, ready, kedgeVersion, null, "");
  }

  /**
   * Binds and starts serving.
   *
   * @param ready answers {@code /readyz}: true once the VIEW has caught up with the log
   * @param uplink where writes go; null for a read-only API
   * @param node the node this API serves, named in write requests
   */
  public static EdgeApiServer start(
      View view,
      EdgeApiOptions options,
      BooleanSupplier ready,
      String kedgeVersion,
      WriteUplink uplink,
      String node)
      throws InterruptedException {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    Discovery discovery = new Discovery(view.types(), kedgeVersion);
    HttpBounds bounds = new HttpBounds(options.limits());
    ApiStats stats = new ApiStats();
    EdgeWrites writes =
        uplink == null
            ? null
            : new EdgeWrites(
                node,
                view,
                uplink,
                options.writeTimeout(),
                new OfflineAutonomy(options.tolerateNotReady()),
                new NodeRestriction(options.nodeWrites()),
                group,
                Clock.systemUTC());
    try {
      Channel channel =
          NettyServers.bootstrap(
                  group,
                  ch -> {
                    if (options.security().usesTls()) {
                      ch.pipeline().addLast(new SslHandler(options.security().newEngine()));
                    }
                    bounds.installHttpCodec(ch.pipeline());
                    ch.pipeline()
                        .addLast(new BoundedBodyAggregator(options.maxBodyBytes()))
                        .addLast(
                            new ApiHandler(
                                view, discovery, ready, options, stats, writes, bounds, node));
                  })
              .childOption(
                  io.netty.channel.ChannelOption.WRITE_BUFFER_WATER_MARK,
                  new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
              .bind(options.bindHost(), options.port())
              .sync()
              .channel();
      EdgeApiServer server = new EdgeApiServer(group, channel, stats, writes, bounds);
      LOG.info(
          "edge API listening on {}://{}:{}{}",
          options.security().scheme(),
          options.bindHost(),
          server.port(),
          options.security().authenticates() ? " (authenticated)" : "");
      return server;
    } catch (RuntimeException | InterruptedException e) {
      group.shutdownGracefully();
      throw e;
    }
  }

  /**
   * The writes this API makes, for in-process writers (the device-twin bridge); null if read-only.
   */
  public EdgeWrites writes() {
    return writes;
  }

  /** The connections and requests in flight clients hold, and those refused. */
  public HttpBounds bounds() {
    return bounds;
  }

  /** Request counts since start. */
  public ApiStats stats() {
    return stats;
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    // no quiet period: the channel is closed, and watchers were told by the close
    group.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
