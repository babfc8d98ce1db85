package io.kedge.runtime.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.function.Consumer;

/** The one way kedge's HTTP servers are bootstrapped: NIO channels, a pipeline per connection. */
public final class NettyServers {
  private NettyServers() {}

  /**
   * A server bootstrap on {@code group} whose every accepted connection gets its pipeline from
   * {@code pipeline}; the caller binds it.
   */
  public static ServerBootstrap bootstrap(EventLoopGroup group, Consumer<SocketChannel> pipeline) {
    return new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                pipeline.accept(ch);
              }
            });
  }
}
