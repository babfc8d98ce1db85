package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code /openapi/v2}: the definitions of every served kind, converted from the {@code /openapi/v3}
 * documents, as kube-apiserver publishes them to kubectl before 1.27. That kubectl explains kinds
 * from this document, validates manifests against it (unknown fields, types) before sending them,
 * and computes {@code kubectl apply}'s strategic merge patches of built-in kinds from the fields'
 * {@code x-kubernetes-patch-strategy} and {@code x-kubernetes-patch-merge-key}, so those are
 * Kubernetes' own tags. It asks for the protobuf form ({@code openapi_v2.Document} of gnostic),
 * other clients for JSON.
 *
 * <p>Swagger 2.0 shapes: a reference is {@code $ref} beside the field's description; an object with
 * properties carries no {@code type} and one without properties or a map's value type none at all
 * (kubectl takes those as any value), as Kubernetes' older documents and the parser of every
 * kubectl since 1.8 expect. What a custom resource's schema says only in OpenAPI 3 (nullable,
 * int-or-string, preserved unknown fields, {@code oneOf}) becomes any value, as kube-apiserver
 * converts it.
 */
final class OpenApiV2 {
  /** As kube-apiserver answers (kubectl asks with an "@", which Go cannot parse back). */
  static final String PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

  private static final String V3_REFS = "#/components/schemas/";
  private static final String V2_REFS = "#/definitions/";
  private static final Set<String> SCALARS = Set.of("string", "integer", "number", "boolean");

  private final OpenApiV3 v3;
  private final String version;

  OpenApiV2(OpenApiV3 v3, String version) {
    this.v3 = v3;
    this.version = version;
  }

  FullHttpResponse response(String accept) {
    ObjectNode document = document();
    byte[] body;
    String contentType;
    if (accept != null && accept.contains("protobuf")) {
      body = protobuf(document);
      contentType = PROTOBUF;
    } else {
      body = document.toString().getBytes(StandardCharsets.UTF_8);
      contentType = "application/json";
    }
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    return response;
  }

  /** The Swagger 2.0 document, built for each request: it follows the served kinds and CRDs. */
  ObjectNode document() {
    Map<String, ObjectNode> definitions = new TreeMap<>();
    OpenApiV3.Descriptions descriptions = new OpenApiV3.Descriptions();
    for (String groupVersion : v3.groupVersions()) {
      ObjectNode document = v3.document(groupVersion, descriptions);
      if (document == null) {
        continue;
      }
      for (Map.Entry<String, JsonNode> schema :
          document.path("components").path("schemas").properties()) {
        definitions.computeIfAbsent(schema.getKey(), name -> converted(schema.getValue()));
      }
    }
    ObjectNode doc = EventCodec.json().createObjectNode();
    doc.put("swagger", "2.0");
    doc.putObject("info").put("title", "kedge edge API").put("version", version);
    doc.putObject("paths");
    definitions.forEach(doc.putObject("definitions")::set);
    return doc;
  }

  /** An OpenAPI 3 schema as Swagger 2.0 writes it, for kubectl's parser (class comment). */
  static ObjectNode converted(JsonNode schema) {
    ObjectNode out = EventCodec.json().createObjectNode();
    if (schema.hasNonNull("description")) {
      out.set("description", schema.get("description"));
    }
    for (Map.Entry<String, JsonNode> field : schema.properties()) {
      if (field.getKey().equals("x-kubernetes-group-version-kind")
          || field.getKey().equals(OpenApiDescriptions.PATCH_STRATEGY)
          || field.getKey().equals(OpenApiDescriptions.PATCH_MERGE_KEY)) {
        out.set(field.getKey(), field.getValue());
      }
    }
    String ref = reference(schema);
    if (ref != null) {
      return out.put("$ref", V2_REFS + ref.substring(V3_REFS.length()));
    }
    if (schema.path("nullable").asBoolean()
        || schema.path("x-kubernetes-preserve-unknown-fields").asBoolean()
        || schema.has("anyOf")) {
      return out; // any value
    }
    String type = schema.path("type").asText("");
    if (schema.has("oneOf")) {
      // a quantity, a string or a number: a string to kubectl, which takes any scalar for one
      boolean scalars = true;
      for (JsonNode alternative : schema.get("oneOf")) {
        scalars &= SCALARS.contains(alternative.path("type").asText());
      }
      if (!scalars) {
        return out;
      }
      type = "string";
    }
    switch (type) {
      case "string", "integer", "number", "boolean" -> { // SCALARS
        out.put("type", type);
        if (schema.hasNonNull("format")) {
          out.set("format", schema.get("format"));
        }
      }
      case "array" -> {
        out.put("type", "array");
        JsonNode items = schema.path("items");
        out.set(
            "items", items.isObject() ? converted(items) : EventCodec.json().createObjectNode());
      }
      default -> { // "object", or no type
        JsonNode properties = schema.path("properties");
        JsonNode values = schema.path("additionalProperties");
        if (properties.isObject() && !properties.isEmpty()) {
          ObjectNode fields = out.putObject("properties");
          properties.properties().forEach(p -> fields.set(p.getKey(), converted(p.getValue())));
          if (schema.path("required").isArray()) {
            out.set("required", schema.get("required"));
          }
        } else if (values.isObject()) {
          out.put("type", "object");
          out.set("additionalProperties", converted(values));
        }
      }
    }
    return out;
  }

  /** A {@code $ref}, directly or as the one entry of {@code allOf}, or null. */
  private static String reference(JsonNode schema) {
    JsonNode ref = schema.path("$ref");
    JsonNode allOf = schema.path("allOf");
    if (!ref.isTextual() && allOf.isArray() && allOf.size() == 1) {
      ref = allOf.get(0).path("$ref");
    }
    return ref.isTextual() && ref.asText().startsWith(V3_REFS) ? ref.asText() : null;
  }

  /**
   * The document in protobuf wire form: {@code Document{swagger = 1, info = 2: Info{title = 1,
   * version = 2}, definitions = 9: Definitions{additional_properties = 1: NamedSchema*}}}.
   */
  static byte[] protobuf(ObjectNode document) {
    Wire info = new Wire();
    info.string(1, document.path("info").path("title").asText());
    info.string(2, document.path("info").path("version").asText());
    Wire definitions = new Wire();
    for (Map.Entry<String, JsonNode> definition : document.path("definitions").properties()) {
      definitions.message(1, named(definition.getKey(), definition.getValue()));
    }
    Wire doc = new Wire();
    doc.string(1, document.path("swagger").asText());
    doc.message(2, info);
    doc.message(9, definitions);
    return doc.bytes();
  }

  /** {@code NamedSchema{name = 1, value = 2}}. */
  private static Wire named(String name, JsonNode schema) {
    Wire named = new Wire();
    named.string(1, name);
    named.message(2, schema(schema));
    return named;
  }

  /**
   * gnostic's {@code Schema}: {@code _ref = 1, format = 2, description = 4, required = 19,
   * additional_properties = 21, type = 22, items = 23, properties = 25, vendor_extension = 31}.
   */
  private static Wire schema(JsonNode schema) {
    Wire out = new Wire();
    if (schema.has("$ref")) {
      out.string(1, schema.get("$ref").asText());
    }
    if (schema.has("format")) {
      out.string(2, schema.get("format").asText());
    }
    if (schema.has("description")) {
      out.string(4, schema.get("description").asText());
    }
    for (JsonNode required : schema.path("required")) {
      out.string(19, required.asText());
    }
    if (schema.has("additionalProperties")) {
      Wire item = new Wire(); // AdditionalPropertiesItem{schema = 1}
      item.message(1, schema(schema.get("additionalProperties")));
      out.message(21, item);
    }
    if (schema.has("type")) {
      Wire type = new Wire(); // TypeItem{value = 1}
      type.string(1, schema.get("type").asText());
      out.message(22, type);
    }
    if (schema.has("items")) {
      Wire items = new Wire(); // ItemsItem{schema = 1}
      items.message(1, schema(schema.get("items")));
      out.message(23, items);
    }
    if (schema.has("properties")) {
      Wire properties = new Wire(); // Properties{additional_properties = 1: NamedSchema*}
      schema
          .get("properties")
          .properties()
          .forEach(p -> properties.message(1, named(p.getKey(), p.getValue())));
      out.message(25, properties);
    }
    for (Map.Entry<String, JsonNode> field : schema.properties()) {
      if (field.getKey().startsWith("x-")) {
        // NamedAny{name = 1, value = 2: Any{yaml = 2}}; JSON is YAML, as kubectl reads it
        Wire any = new Wire();
        any.string(2, field.getValue().toString());
        Wire named = new Wire();
        named.string(1, field.getKey());
        named.message(2, any);
        out.message(31, named);
      }
    }
    return out;
  }

  /** Protobuf fields of wire type 2 (strings and messages), the only ones the document needs. */
  private static final class Wire {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void string(int number, String value) {
      bytes(number, value.getBytes(StandardCharsets.UTF_8));
    }

    void message(int number, Wire message) {
      bytes(number, message.bytes());
    }

    private void bytes(int number, byte[] value) {
      varint((number << 3) | 2);
      varint(value.length);
      out.writeBytes(value);
    }

    private void varint(int value) {
      while ((value & ~0x7F) != 0) {
        out.write((value & 0x7F) | 0x80);
        value >>>= 7;
      }
      out.write(value);
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
