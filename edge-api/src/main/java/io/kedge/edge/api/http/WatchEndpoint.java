package io.kedge.edge.api.http;

import io.kedge.edge.api.view.ExpiredException;
import io.kedge.edge.api.view.ResourceType;
import io.kedge.edge.api.view.View;
import io.kedge.edge.api.view.WatchFilter;
import io.kedge.kube.objects.KubeStatus;
import io.kedge.schemas.EventCodec;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts watches: the response head (chunked HTTP, or a WebSocket handshake for clients such as
 * fabric8), then a {@link WatchStream} registered with the VIEW from the asked resourceVersion.
 */
final class WatchEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(WatchEndpoint.class);

  private final View view;
  private final Tables tables;
  private final EdgeApiOptions options;

  WatchEndpoint(View view, Tables tables, EdgeApiOptions options) {
    this.view = view;
    this.tables = tables;
    this.options = options;
  }

  /** The stream that now owns the channel, or null when the WebSocket handshake was refused. */
  WatchStream start(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      ResourceType type,
      WatchFilter filter,
      ListOptions listing,
      long id,
      Presentation as) {
    String rv = listing.resourceVersion();
    boolean bookmarks = listing.allowWatchBookmarks();
    boolean sendInitialEvents = listing.sendInitialEvents();
    long from =
        rv.isEmpty() || rv.equals("0") || sendInitialEvents ? -1 : ApiHandler.parseVersion(rv);
    long timeoutSeconds = listing.timeoutSeconds();

    boolean websocket =
        request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    if (websocket) {
      // fabric8 and other clients watch over WebSocket: one text message per event.
      String location =
          (options.security().usesTls() ? "wss://" : "ws://")
              + request.headers().get(HttpHeaderNames.HOST)
              + request.uri();
      WebSocketServerHandshaker handshaker =
          new WebSocketServerHandshakerFactory(location, null, false).newHandshaker(request);
      if (handshaker == null) {
        WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
        return null;
      }
      handshaker.handshake(ctx.channel(), request);
    } else {
      HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
      head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      ctx.writeAndFlush(head);
    }
    WatchStream stream =
        new WatchStream(
            ctx.channel(),
            websocket,
            type,
            options.watchBufferEvents(),
            sendInitialEvents,
            as.table()
                ? object ->
                    tables.table(
                        type,
                        as.tableVersion(),
                        List.of(object),
                        as.include(),
                        EventCodec.json()
                            .createObjectNode()
                            .put(
                                "resourceVersion",
                                object.path("metadata").path("resourceVersion").asText()))
                : null);
    try {
      stream.registration(view.watch(filter, from, bookmarks, sendInitialEvents, stream));
    } catch (ExpiredException e) {
      stream.fail(KubeStatus.expired(e.getMessage()));
      return stream;
    }
    if (timeoutSeconds > 0) {
      ctx.executor().schedule(stream::end, timeoutSeconds, TimeUnit.SECONDS);
    }
    LOG.debug("request {} watches {} from resourceVersion {}", id, type.gvr(), from);
    return stream;
  }
}
