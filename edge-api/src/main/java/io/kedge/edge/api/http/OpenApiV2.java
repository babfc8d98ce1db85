package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code /openapi/v2} without definitions. kubectl's client-side validation (the default of {@code
 * kubectl apply} and {@code create}) refuses to run without this document, and skips kinds it does
 * not define; the edge API does not validate schemas, the cloud does. kubectl asks for the protobuf
 * form ({@code openapi_v2.Document}), other clients for JSON.
 */
final class OpenApiV2 {
  /** As kube-apiserver answers (kubectl asks with an "@", which Go cannot parse back). */
  static final String PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

  private final String title = "kedge edge API";
  private final String version;

  OpenApiV2(String version) {
    this.version = version;
  }

  FullHttpResponse response(String accept) {
    byte[] body;
    String contentType;
    if (accept != null && accept.contains("protobuf")) {
      body = protobuf();
      contentType = PROTOBUF;
    } else {
      ObjectNode doc = EventCodec.json().createObjectNode();
      doc.put("swagger", "2.0");
      doc.putObject("info").put("title", title).put("version", version);
      doc.putObject("paths");
      doc.putObject("definitions");
      body = doc.toString().getBytes(StandardCharsets.UTF_8);
      contentType = "application/json";
    }
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    return response;
  }

  /** Document{swagger = 1: "2.0", info = 2: Info{title = 1, version = 2}} in protobuf wire form. */
  private byte[] protobuf() {
    ByteArrayOutputStream info = new ByteArrayOutputStream();
    field(info, 1, title.getBytes(StandardCharsets.UTF_8));
    field(info, 2, version.getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream doc = new ByteArrayOutputStream();
    field(doc, 1, "2.0".getBytes(StandardCharsets.UTF_8));
    field(doc, 2, info.toByteArray());
    return doc.toByteArray();
  }

  /** A length-delimited field (wire type 2). */
  private static void field(ByteArrayOutputStream out, int number, byte[] value) {
    varint(out, (number << 3) | 2);
    varint(out, value.length);
    out.writeBytes(value);
  }

  private static void varint(ByteArrayOutputStream out, int value) {
    while ((value & ~0x7F) != 0) {
      out.write((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out.write(value);
  }
}
