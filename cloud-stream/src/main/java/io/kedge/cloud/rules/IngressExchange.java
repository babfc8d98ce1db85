package io.kedge.cloud.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.kedge.schemas.EventCodec;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * One REST ingress request's way back to its client: answers are written on the connection's event
 * loop, with their length, closing the connection unless it is kept alive, and give the request's
 * in-flight slot back.
 */
final class IngressExchange {
  private final ChannelHandlerContext ctx;
  private final boolean keepAlive;
  private final RestIngressHandler handler;
  private final boolean holdsSlot;

  /**
   * @param holdsSlot whether the request took an in-flight slot, which its answer gives back
   */
  IngressExchange(
      ChannelHandlerContext ctx, boolean keepAlive, RestIngressHandler handler, boolean holdsSlot) {
    this.ctx = ctx;
    this.keepAlive = keepAlive;
    this.handler = handler;
    this.holdsSlot = holdsSlot;
  }

  /** Runs {@code answer} on the connection's event loop (from a Kafka or timer thread). */
  void later(Runnable answer) {
    ctx.executor().execute(answer);
  }

  void send(FullHttpResponse response) {
    if (holdsSlot) {
      handler.answered();
    }
    HttpUtil.setContentLength(response, response.content().readableBytes());
    HttpUtil.setKeepAlive(response, keepAlive);
    var future = ctx.writeAndFlush(response);
    if (!keepAlive) {
      future.addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Counts the request as accepted: stored, or answered by its service. */
  void accepted() {
    handler.accepted();
  }

  /** A JSON answer; 4xx and 5xx count as refused. */
  void reply(int code, JsonNode body) {
    if (code >= 400) {
      handler.refused();
    }
    send(json(code, body));
  }

  static FullHttpResponse json(int code, JsonNode body) {
    byte[] bytes;
    try {
      bytes = EventCodec.json().writeValueAsBytes(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code), Unpooled.wrappedBuffer(bytes));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    return response;
  }
}
