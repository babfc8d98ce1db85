package io.kedge.cloud.rules;

import io.kedge.runtime.http.HttpBounds;
import io.kedge.runtime.http.NettyServers;
import io.kedge.schemas.RuleMessage;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.HttpObjectAggregator;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
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
    ServicebusCall servicebus = new ServicebusCall(sender, responses, servicebusTimeout);
    RestIngress[] self = new RestIngress[1];
    try {
      Channel channel =
          NettyServers.bootstrap(
                  group,
                  ch -> {
                    bounds.installHttpCodec(ch.pipeline());
                    ch.pipeline()
                        // answers 413 itself when a body is over the limit
                        .addLast(new HttpObjectAggregator((int) Math.min(maxBodyBytes, 1L << 30)))
                        .addLast(new RestIngressHandler(book, sender, servicebus, self[0], bounds));
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

  void countAccepted() {
    accepted.incrementAndGet();
  }

  void countRefused() {
    refused.incrementAndGet();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
