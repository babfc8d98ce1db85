package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.view.ResourceType;
import io.kedge.kube.objects.KubeStatus;
import io.kedge.schemas.EventCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/** Full HTTP responses with JSON or text bodies. */
final class Responses {
  private Responses() {}

  static FullHttpResponse json(ByteBufAllocator alloc, HttpResponseStatus status, JsonNode body) {
    ByteBuf buf = alloc.buffer();
    try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
      EventCodec.json().writeValue((java.io.OutputStream) out, body);
    } catch (IOException e) {
      buf.release();
      throw new UncheckedIOException(e);
    }
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, buf);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, buf.readableBytes());
    return response;
  }

  /** 404 for a path the API does not serve, as kube-apiserver words it. */
  static FullHttpResponse notFoundPath(ByteBufAllocator alloc) {
    return json(
        alloc,
        HttpResponseStatus.NOT_FOUND,
        KubeStatus.failure(404, "NotFound", "the server could not find the requested resource"));
  }

  /**
   * 404 for a resource the edge API does not serve (a workload kind such as {@code
   * deployments.apps}, or a custom resource whose definition has not reached the node), naming it
   * and where to see what is served: kube-apiserver's generic words would read as a typo.
   */
  static FullHttpResponse resourceNotServed(ByteBufAllocator alloc, String group, String plural) {
    String what = group.isEmpty() ? plural : plural + "." + group;
    return json(
        alloc,
        HttpResponseStatus.NOT_FOUND,
        KubeStatus.failure(
            404,
            "NotFound",
            what
                + " is not served by the edge API, which serves the kinds routed to its node"
                + " (kubectl api-resources lists them)"));
  }

  /** Pod subresources kube-apiserver proxies to the node's kubelet. */
  private static final Set<String> KUBELET_PROXIED =
      Set.of("log", "exec", "attach", "portforward", "proxy");

  /**
   * 404 for a subresource the edge API does not serve, naming it (kube-apiserver serves it, so its
   * generic words would send a user looking for a typo).
   */
  static FullHttpResponse subresourceNotServed(
      ByteBufAllocator alloc, ResourceType type, String subresource) {
    String what = type.qualifiedPlural() + "/" + subresource;
    String message =
        type.group().isEmpty() && type.kind().equals("Pod") && KUBELET_PROXIED.contains(subresource)
            ? what
                + " is not served by the edge API: kube-apiserver passes it to the node's kubelet;"
                + " on the node, ask the container runtime (crictl logs, crictl exec)"
            : what + " is not served by the edge API";
    return json(alloc, HttpResponseStatus.NOT_FOUND, KubeStatus.failure(404, "NotFound", message));
  }

  /** An object already serialized as JSON. */
  static FullHttpResponse json(ByteBufAllocator alloc, HttpResponseStatus status, byte[] body) {
    return jsonResponse(status, alloc.buffer(body.length).writeBytes(body));
  }

  /**
   * A list: {@code envelope}'s fields (kind, apiVersion, metadata), then {@code items}, objects
   * already serialized as JSON, copied as they are.
   */
  static FullHttpResponse list(ByteBufAllocator alloc, ObjectNode envelope, List<byte[]> items) {
    byte[] head = serialize(envelope);
    int size = head.length + 12;
    for (byte[] item : items) {
      size += item.length + 1;
    }
    ByteBuf buf = alloc.buffer(size);
    buf.writeBytes(head, 0, head.length - 1); // without the envelope's closing brace
    buf.writeBytes(ITEMS);
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        buf.writeByte(',');
      }
      buf.writeBytes(items.get(i));
    }
    buf.writeByte(']').writeByte('}');
    return jsonResponse(HttpResponseStatus.OK, buf);
  }

  private static final byte[] ITEMS = ",\"items\":[".getBytes(StandardCharsets.UTF_8);

  private static byte[] serialize(JsonNode node) {
    try {
      return EventCodec.json().writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static FullHttpResponse jsonResponse(HttpResponseStatus status, ByteBuf buf) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, buf);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, buf.readableBytes());
    return response;
  }

  static FullHttpResponse text(HttpResponseStatus status, String body) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
    return response;
  }
}
