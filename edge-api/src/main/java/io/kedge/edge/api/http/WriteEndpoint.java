package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.view.ResourceType;
import io.kedge.edge.api.write.EdgeWrites;
import io.kedge.kube.objects.KubeStatus;
import io.kedge.schemas.WriteOperation;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, updates, patches and deletes through the edge API: the request is checked as
 * kube-apiserver checks it (method, subresource, media type, fields its kind does not define) and
 * handed to the node's writes, which answer once the relay or the cloud has.
 */
final class WriteEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(WriteEndpoint.class);

  private final EdgeWrites writes;
  private final OpenApiV3 openApiV3;
  private final ApiStats stats;

  /**
   * @param writes null for a read-only API
   */
  WriteEndpoint(EdgeWrites writes, OpenApiV3 openApiV3, ApiStats stats) {
    this.writes = writes;
    this.openApiV3 = openApiV3;
    this.stats = stats;
  }

  /**
   * Refuses the request (the response), or submits it and returns null: {@code answer} then gets
   * the response on the channel's event loop.
   */
  FullHttpResponse handle(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      ResourceType type,
      ApiPath api,
      QueryStringDecoder uri,
      long id,
      Consumer<FullHttpResponse> answer) {
    HttpMethod method = request.method();
    if (!api.subresource().isEmpty()
        && !api.subresource().equals("status")
        && !(api.subresource().equals(WriteRequests.TOKEN) && isServiceAccount(type))) {
      return Responses.subresourceNotServed(ctx.alloc(), type, api.subresource());
    }
    WriteOperation operation = WriteRequests.operation(method, api.name(), api.subresource());
    if (writes == null || operation == null) {
      return Responses.json(
          ctx.alloc(),
          HttpResponseStatus.METHOD_NOT_ALLOWED,
          KubeStatus.failure(
              405,
              "MethodNotAllowed",
              method
                  + (api.name().isEmpty() ? " on a collection" : " on an object")
                  + " is not supported by this edge API"
                  + (writes == null ? ": it is read-only" : "")));
    }
    String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
    String mediaType = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    String problem = WriteRequests.unsupportedMediaType(operation, mediaType);
    if (problem != null) {
      return Responses.json(
          ctx.alloc(),
          HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
          KubeStatus.failure(415, "UnsupportedMediaType", problem));
    }
    EdgeWrites.Write write = WriteRequests.parse(request, uri, type, api, operation, mediaType);
    List<String> warnings = List.of();
    String validation = new QueryParams(uri).fieldValidation();
    if (!validation.equals("Ignore")) {
      List<String> unknown = UnknownFields.messages(unknownFields(type, write));
      if (!unknown.isEmpty() && validation.equals("Strict")) {
        return Responses.json(
            ctx.alloc(),
            HttpResponseStatus.BAD_REQUEST,
            KubeStatus.badRequest("strict decoding error: " + String.join(", ", unknown)));
      }
      warnings = unknown; // Warn, kube-apiserver's default
    }
    List<String> warningHeaders = warnings;
    stats.write();
    String line = request.method() + " " + request.uri();
    writes
        .submit(write)
        .thenAcceptAsync(
            reply -> {
              LOG.debug("request {} {} -> {}", id, line, reply.code());
              FullHttpResponse response =
                  Responses.json(
                      ctx.alloc(), HttpResponseStatus.valueOf(reply.code()), reply.body());
              reply.headers().forEach((k, v) -> response.headers().set(k, v));
              warningHeaders.forEach(
                  w ->
                      response
                          .headers()
                          .add("Warning", "299 - \"" + w.replace("\"", "\\\"") + "\""));
              answer.accept(response);
            },
            ctx.executor());
    return null;
  }

  /**
   * The fields a whole object written (create, update, apply) has that its kind does not define;
   * patches other than apply are not checked.
   */
  private List<String> unknownFields(ResourceType type, EdgeWrites.Write write) {
    boolean whole =
        write.operation() == WriteOperation.CREATE
            || write.operation() == WriteOperation.UPDATE
            || WriteRequests.APPLY.equals(write.patchType());
    if (!whole || write.body() == null || !write.body().isObject()) {
      return List.of();
    }
    if (write.subresource().equals(WriteRequests.TOKEN)) {
      return ProtobufBodies.descriptor("authentication.k8s.io/v1", "TokenRequest")
          .map(model -> UnknownFields.byModel(write.body(), model))
          .orElse(List.of());
    }
    ObjectNode schema = openApiV3.customResourceSchema(type);
    if (schema != null) {
      return UnknownFields.bySchema(write.body(), schema);
    }
    return ProtobufBodies.descriptor(type.apiVersion(), type.kind())
        .map(model -> UnknownFields.byModel(write.body(), model))
        .orElse(List.of());
  }

  private static boolean isServiceAccount(ResourceType type) {
    return type.group().isEmpty() && type.kind().equals("ServiceAccount");
  }
}
