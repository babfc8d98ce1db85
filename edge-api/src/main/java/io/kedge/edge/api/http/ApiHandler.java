package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.view.FieldSelector;
import io.kedge.edge.api.view.LabelSelector;
import io.kedge.edge.api.view.ResourceType;
import io.kedge.edge.api.view.View;
import io.kedge.edge.api.view.WatchFilter;
import io.kedge.edge.api.write.EdgeWrites;
import io.kedge.kube.objects.KubeStatus;
import io.kedge.runtime.http.HttpBounds;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one edge API request: health, discovery, get, list and watch, all from the VIEW and never
 * from the cloud, so reads work the same online and offline; writes go to {@link EdgeWrites}.
 * Errors are Kubernetes {@code Status} objects with the real code.
 */
final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
  private static final AtomicLong REQUEST_IDS = new AtomicLong();

  private final View view;
  private final Discovery discovery;
  private final HealthChecks health;
  private final EdgeApiOptions options;
  private final ApiStats stats;
  private final WriteEndpoint writeEndpoint;
  private final WatchEndpoint watchEndpoint;
  private final OpenApiV2 openApi;
  private final Tables tables = new Tables(java.time.Clock.systemUTC());
  private final AccessReviews accessReviews;
  private final ObjectReads reads;
  private final OpenApiV3 openApiV3;
  private WatchStream activeWatch;
  private final HttpBounds bounds;

  /** The in-flight slots this connection's requests hold (pipelined requests hold one each). */
  private int holding;

  ApiHandler(
      View view,
      Discovery discovery,
      BooleanSupplier ready,
      EdgeApiOptions options,
      ApiStats stats,
      EdgeWrites writes,
      HttpBounds bounds,
      String node) {
    this.bounds = bounds;
    this.accessReviews = new AccessReviews(view.types(), writes, options.security(), node);
    this.reads = new ObjectReads(view, tables);
    this.openApiV3 = new OpenApiV3(view, discovery.version().path("gitVersion").asText());
    this.writeEndpoint = new WriteEndpoint(writes, openApiV3, stats);
    this.watchEndpoint = new WatchEndpoint(view, tables, options);
    this.openApi = new OpenApiV2(openApiV3, discovery.version().path("gitVersion").asText());
    this.view = view;
    this.discovery = discovery;
    this.health = new HealthChecks(ready);
    this.options = options;
    this.stats = stats;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    long id = REQUEST_IDS.incrementAndGet();
    QueryStringDecoder uri = new QueryStringDecoder(request.uri());
    String path = uri.path();
    if (!bounds.admit()) {
      FullHttpResponse busy =
          Responses.json(
              ctx.alloc(),
              HttpResponseStatus.TOO_MANY_REQUESTS,
              KubeStatus.failure(
                  429, "TooManyRequests", "too many requests in flight on this edge API; retry"));
      busy.headers().set("Retry-After", "1");
      send(ctx, HttpUtil.isKeepAlive(request), busy);
      return;
    }
    holding++;
    FullHttpResponse response;
    try {
      response =
          authenticated(ctx, request, path)
              ? route(ctx, request, uri, path, id)
              : Responses.json(
                  ctx.alloc(),
                  HttpResponseStatus.UNAUTHORIZED,
                  KubeStatus.failure(401, "Unauthorized", "Unauthorized"));
    } catch (IllegalArgumentException e) {
      response =
          Responses.json(
              ctx.alloc(), HttpResponseStatus.BAD_REQUEST, KubeStatus.badRequest(e.getMessage()));
    } catch (ListOptions.InvalidException e) {
      response = Responses.json(ctx.alloc(), HttpResponseStatus.UNPROCESSABLE_ENTITY, e.status());
    } catch (WriteRequests.UndecodableException e) {
      response =
          Responses.json(
              ctx.alloc(),
              HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
              KubeStatus.failure(415, "UnsupportedMediaType", e.getMessage()));
    } catch (RuntimeException e) {
      LOG.error("request {} {} {} failed", id, request.method(), request.uri(), e);
      response =
          Responses.json(
              ctx.alloc(),
              HttpResponseStatus.INTERNAL_SERVER_ERROR,
              KubeStatus.failure(500, "InternalError", "request " + id + " failed: " + e));
    }
    if (response == null) {
      LOG.debug("request {} {} {} -> answered later", id, request.method(), request.uri());
      if (activeWatch != null) {
        release(); // a watch holds its connection, not a request slot
        HttpBounds.markLongLived(ctx.channel());
      }
      return; // a watch stream now owns the channel, or a write answers when the cloud has
    }
    LOG.debug(
        "request {} {} {} -> {}", id, request.method(), request.uri(), response.status().code());
    send(ctx, HttpUtil.isKeepAlive(request), response);
  }

  /** Health endpoints are open; everything else needs a token or a verified client cert. */
  private boolean authenticated(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
    ApiSecurity security = options.security();
    if (!security.authenticates() || HealthChecks.isPath(path)) {
      return true;
    }
    if (security.acceptsBearer(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
      return true;
    }
    if (security.clientCertificates()) {
      SslHandler ssl = ctx.pipeline().get(SslHandler.class);
      try {
        return ssl != null && ssl.engine().getSession().getPeerCertificates().length > 0;
      } catch (SSLPeerUnverifiedException e) {
        return false; // no certificate presented; one that did not verify failed the handshake
      }
    }
    return false;
  }

  /** Gives back this connection's request slot, once its request is answered or gone. */
  private void release() {
    if (holding > 0) {
      holding--;
      bounds.done();
    }
  }

  private void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
    release();
    HttpUtil.setKeepAlive(response, keepAlive);
    var future = ctx.writeAndFlush(response);
    if (!keepAlive) {
      future.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private FullHttpResponse route(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      QueryStringDecoder uri,
      String path,
      long id) {
    if (HealthChecks.isPath(path)) {
      return health.answer(path, uri);
    }
    switch (path) {
      case "/version":
        return ok(ctx, discovery.version());
      case "/api", "/apis":
        if (Discovery.wantsAggregated(request.headers().get(HttpHeaderNames.ACCEPT))) {
          FullHttpResponse aggregated = ok(ctx, discovery.aggregated(path.equals("/api")));
          aggregated.headers().set(HttpHeaderNames.CONTENT_TYPE, Discovery.AGGREGATED);
          return aggregated;
        }
        return path.equals("/api")
            ? ok(ctx, discovery.coreVersions(options.advertisedAddress()))
            : ok(ctx, discovery.groups());
      case "/openapi/v2":
        return openApi.response(request.headers().get(HttpHeaderNames.ACCEPT));
      case "/openapi/v3":
        return ok(ctx, openApiV3.index());
      default:
        break;
    }
    if (OpenApiV3.isPath(path)) {
      ObjectNode document = openApiV3.document(OpenApiV3.groupVersion(path));
      return document == null ? notFoundPath(ctx) : ok(ctx, document);
    }
    if (path.equals("/api/v1") || (path.startsWith("/apis/") && path.split("/").length == 4)) {
      String[] parts = path.split("/");
      ObjectNode resources =
          path.equals("/api/v1")
              ? discovery.resources("", "v1")
              : discovery.resources(parts[2], parts[3]);
      return resources == null ? notFoundPath(ctx) : ok(ctx, resources);
    }
    ApiPath api = ApiPath.parse(path);
    if (api == null) {
      return notFoundPath(ctx);
    }
    if (api.name().isEmpty()) {
      var review = AccessReviews.review(api.group(), api.version(), api.resource());
      if (review.isPresent()) {
        return accessReviews.answer(ctx.alloc(), request, review.get());
      }
    }
    ResourceType type =
        view.types().byResource(api.group(), api.version(), api.resource()).orElse(null);
    if (type == null) {
      return Responses.resourceNotServed(ctx.alloc(), api.group(), api.resource());
    }
    if (!request.method().equals(HttpMethod.GET)) {
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      return writeEndpoint.handle(
          ctx, request, type, api, uri, id, response -> send(ctx, keepAlive, response));
    }
    QueryParams params = new QueryParams(uri);
    Presentation as = Presentation.of(request, params);
    if (!api.name().isEmpty() && !api.watch() && !params.bool("watch")) {
      stats.get();
      return reads.get(ctx.alloc(), type, api, as);
    }
    ListOptions listing = ListOptions.parse(params, api.watch());
    WatchFilter filter = filter(type, api, listing);
    if (listing.watch()) {
      stats.watch();
      activeWatch = watchEndpoint.start(ctx, request, type, filter, listing, id, as);
      return null;
    }
    stats.list();
    return reads.list(ctx.alloc(), type, filter, listing, as);
  }

  private WatchFilter filter(ResourceType type, ApiPath api, ListOptions options) {
    String fieldSelector = options.fieldSelector();
    if (!api.name().isEmpty()) {
      fieldSelector =
          (fieldSelector.isEmpty() ? "" : fieldSelector + ",") + "metadata.name=" + api.name();
    }
    return new WatchFilter(
        type,
        type.namespaced() ? api.namespace() : "",
        LabelSelector.parse(options.labelSelector()),
        FieldSelector.parse(fieldSelector, type.kind()));
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (activeWatch != null && ctx.channel().isWritable()) {
      activeWatch.drain();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    while (holding > 0) {
      release(); // requests the client gave up on
    }
    if (activeWatch != null) {
      activeWatch.stopWatching();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  private FullHttpResponse ok(
      ChannelHandlerContext ctx, com.fasterxml.jackson.databind.JsonNode body) {
    return Responses.json(ctx.alloc(), HttpResponseStatus.OK, body);
  }

  private FullHttpResponse notFoundPath(ChannelHandlerContext ctx) {
    return Responses.notFoundPath(ctx.alloc());
  }

  static long parseVersion(String rv) {
    try {
      return Long.parseLong(rv);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid resourceVersion '" + rv + "': must be a number");
    }
  }
}
