package io.kedge.edge.api.http;

import io.kedge.kube.objects.KubeStatus;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Aggregates request bodies up to a limit and answers a larger one with 413 and a Kubernetes {@code
 * Status} (reason RequestEntityTooLarge), as kube-apiserver does.
 */
final class BoundedBodyAggregator extends HttpObjectAggregator {
  private final int maxBytes;

  BoundedBodyAggregator(int maxBytes) {
    super(maxBytes);
    this.maxBytes = maxBytes;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    ctx.writeAndFlush(
            Responses.json(
                ctx.alloc(),
                HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                KubeStatus.failure(
                    413,
                    "RequestEntityTooLarge",
                    "request body is larger than the limit of " + maxBytes + " bytes")))
        .addListener(ChannelFutureListener.CLOSE);
  }
}
