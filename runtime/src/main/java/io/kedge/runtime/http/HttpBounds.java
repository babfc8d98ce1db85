package io.kedge.runtime.http;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a client may hold on one of kedge's HTTP servers (the REST ingress, the edge API), as
 * kube-apiserver bounds its clients: connections idle for {@code idleTimeout} are closed, unless
 * they carry a long-lived answer such as a watch ({@link #markLongLived}); a request must arrive
 * whole within {@code requestTimeout} of its first byte (408, then closed: a slow client cannot
 * hold a connection by trickling headers); beyond {@code maxConnections} a new connection is
 * answered 503 with {@code Retry-After} and closed; beyond {@code maxInFlight} requests being
 * handled, a request gets 429 with {@code Retry-After}. Bodies are bounded by the aggregator (413).
 */
public final class HttpBounds {
  /** The bounds. */
  public record Limits(
      int maxConnections, int maxInFlight, Duration idleTimeout, Duration requestTimeout) {}

  private final Limits limits;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final LongAdder refusedConnections = new LongAdder();
  private final LongAdder refusedRequests = new LongAdder();
  private final ChannelHandler gate = new Gate();
  private final ChannelHandler idleCloser = new IdleCloser();

  public HttpBounds(Limits limits) {
    this.limits = limits;
  }

  /**
   * Installs an HTTP/1.1 server codec with the bounds around it: the connection gate, idle timeout
   * and request deadline before it, the end of the deadline after it. The aggregator and the
   * handler go after.
   */
  public void installHttpCodec(ChannelPipeline pipeline) {
    installBeforeCodec(pipeline);
    pipeline.addLast(new HttpServerCodec());
    installAfterCodec(pipeline);
  }

  /** Installs the connection gate, idle timeout and request deadline; the codec goes after. */
  private void installBeforeCodec(ChannelPipeline pipeline) {
    long idle = limits.idleTimeout().toMillis();
    pipeline
        .addLast("bounds-gate", gate)
        .addLast("bounds-idle", new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS))
        .addLast("bounds-idle-close", idleCloser)
        .addLast("bounds-deadline", new RequestDeadline(limits.requestTimeout()));
  }

  /** Installs what ends a request's deadline once it has arrived whole; after the codec. */
  private void installAfterCodec(ChannelPipeline pipeline) {
    pipeline.addLast("bounds-arrived", ARRIVED);
  }

  /** Takes a request slot, or refuses (false) when {@code maxInFlight} are being handled. */
  public boolean admit() {
    if (inFlight.incrementAndGet() > limits.maxInFlight()) {
      inFlight.decrementAndGet();
      refusedRequests.increment();
      return false;
    }
    return true;
  }

  /** Gives back a slot {@link #admit} took, once its request is answered. */
  public void done() {
    inFlight.decrementAndGet();
  }

  public int openConnections() {
    return connections.get();
  }

  public long refusedConnections() {
    return refusedConnections.sum();
  }

  public long refusedRequests() {
    return refusedRequests.sum();
  }

  /**
   * Exports {@code <prefix>_connections} and {@code <prefix>_bounded_total{reason=connections|
   * in-flight}} for the server that {@code server} names in their descriptions.
   */
  public void register(MeterRegistry registry, String prefix, String server, Tags tags) {
    Gauge.builder(prefix + "_connections", this, HttpBounds::openConnections)
        .description("Connections the " + server + " holds")
        .tags(tags)
        .register(registry);
    String refused = "Connections (reason=connections) and requests (reason=in-flight) refused";
    FunctionCounter.builder(prefix + "_bounded_total", this, HttpBounds::refusedConnections)
        .description(refused + " by the " + server)
        .tags(tags.and("reason", "connections"))
        .register(registry);
    FunctionCounter.builder(prefix + "_bounded_total", this, HttpBounds::refusedRequests)
        .description(refused + " by the " + server)
        .tags(tags.and("reason", "in-flight"))
        .register(registry);
  }

  /** Counts connections; one over the cap gets a 503 written by hand (no codec yet) and closes. */
  @ChannelHandler.Sharable
  private final class Gate extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      if (connections.incrementAndGet() > limits.maxConnections()) {
        refusedConnections.increment();
        String body =
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":"
                + "\"ServiceUnavailable\",\"code\":503,\"message\":\"the server holds its"
                + " maximum of "
                + limits.maxConnections()
                + " connections\"}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After:"
                + " 1\r\nConnection: close\r\nContent-Length: "
                + bytes.length
                + "\r\n\r\n";
        ctx.writeAndFlush(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), bytes))
            .addListener(ChannelFutureListener.CLOSE);
        return;
      }
      super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      connections.decrementAndGet();
      super.channelInactive(ctx);
    }
  }

  private static final io.netty.util.AttributeKey<Boolean> LONG_LIVED =
      io.netty.util.AttributeKey.valueOf("kedge-http-long-lived");

  /** Exempts {@code channel} from the idle timeout: it streams a long-lived answer (a watch). */
  public static void markLongLived(io.netty.channel.Channel channel) {
    channel.attr(LONG_LIVED).set(Boolean.TRUE);
  }

  @ChannelHandler.Sharable
  private static final class IdleCloser extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
      if (event instanceof IdleStateEvent) {
        if (!Boolean.TRUE.equals(ctx.channel().attr(LONG_LIVED).get())) {
          ctx.close();
        }
        return;
      }
      super.userEventTriggered(ctx, event);
    }
  }

  private static final io.netty.util.AttributeKey<ScheduledFuture<?>> DEADLINE =
      io.netty.util.AttributeKey.valueOf("kedge-ingress-request-deadline");

  /**
   * Starts a deadline at a request's first byte (before the codec, so that headers trickled byte by
   * byte count too); when it passes, answers 408 and closes.
   */
  private static final class RequestDeadline extends ChannelInboundHandlerAdapter {
    private final Duration timeout;

    RequestDeadline(Duration timeout) {
      this.timeout = timeout;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      var deadline = ctx.channel().attr(DEADLINE);
      if (deadline.get() == null) {
        deadline.set(
            ctx.executor()
                .schedule(
                    () -> {
                      byte[] head =
                          ("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
                                  + "Content-Length: 0\r\n\r\n")
                              .getBytes(StandardCharsets.US_ASCII);
                      ctx.writeAndFlush(Unpooled.wrappedBuffer(head))
                          .addListener(ChannelFutureListener.CLOSE);
                    },
                    timeout.toMillis(),
                    TimeUnit.MILLISECONDS));
      }
      super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      ScheduledFuture<?> deadline = ctx.channel().attr(DEADLINE).getAndSet(null);
      if (deadline != null) {
        deadline.cancel(false);
      }
      super.channelInactive(ctx);
    }
  }

  /** Ends the deadline once the request has arrived whole. */
  private static final ChannelHandler ARRIVED = new Arrived();

  @ChannelHandler.Sharable
  private static final class Arrived extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (msg instanceof LastHttpContent) {
        ScheduledFuture<?> deadline = ctx.channel().attr(DEADLINE).getAndSet(null);
        if (deadline != null) {
          deadline.cancel(false);
        }
      }
      super.channelRead(ctx, msg);
    }
  }
}
