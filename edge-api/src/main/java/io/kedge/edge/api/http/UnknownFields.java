package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fields of an object its kind does not define, named as kube-apiserver's field validation
 * names them ({@code spec.containers[0].imagee}). Built-in kinds are checked against Kubernetes'
 * models (the protobuf descriptors), custom resources against their CRD's {@code openAPIV3Schema};
 * a kind with neither, or a schema that keeps unknown fields, has none.
 */
final class UnknownFields {
  private static final Set<String> OPAQUE =
      Set.of(
          "k8s.io.apimachinery.pkg.apis.meta.v1.Time",
          "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime",
          "k8s.io.apimachinery.pkg.apis.meta.v1.Duration",
          "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1",
          "k8s.io.apimachinery.pkg.api.resource.Quantity",
          "k8s.io.apimachinery.pkg.util.intstr.IntOrString",
          "k8s.io.apimachinery.pkg.runtime.RawExtension");

  private UnknownFields() {}

  /** Unknown fields of {@code object} by the model of its kind. */
  static List<String> byModel(JsonNode object, Descriptor model) {
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : object.properties()) {
      if (field.getKey().equals("apiVersion") || field.getKey().equals("kind")) {
        continue;
      }
      walkModel(
          field.getKey(),
          field.getValue(),
          ProtobufBodies.jsonField(model, field.getKey()),
          unknown);
    }
    return unknown;
  }

  private static void walkModel(
      String path, JsonNode value, FieldDescriptor field, List<String> unknown) {
    if (field == null) {
      unknown.add(path);
      return;
    }
    if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || value.isNull()) {
      return;
    }
    if (field.isMapField()) {
      FieldDescriptor entry = field.getMessageType().findFieldByName("value");
      for (Map.Entry<String, JsonNode> item : value.properties()) {
        walkValue(path + "[" + item.getKey() + "]", item.getValue(), entry, unknown);
      }
      return;
    }
    if (field.isRepeated() && value.isArray()) {
      for (int i = 0; i < value.size(); i++) {
        walkValue(path + "[" + i + "]", value.get(i), field, unknown);
      }
      return;
    }
    walkValue(path, value, field, unknown);
  }

  private static void walkValue(
      String path, JsonNode value, FieldDescriptor field, List<String> unknown) {
    if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || !value.isObject()) {
      return;
    }
    Descriptor message = field.getMessageType();
    if (OPAQUE.contains(message.getFullName())) {
      return;
    }
    for (Map.Entry<String, JsonNode> child : value.properties()) {
      walkModel(
          path + "." + child.getKey(),
          child.getValue(),
          ProtobufBodies.jsonField(message, child.getKey()),
          unknown);
    }
  }

  /** Unknown fields of {@code object} by a CRD version's structural schema. */
  static List<String> bySchema(JsonNode object, JsonNode schema) {
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : object.properties()) {
      String name = field.getKey();
      if (name.equals("apiVersion") || name.equals("kind") || name.equals("metadata")) {
        continue; // metadata is ObjectMeta whatever the schema says
      }
      walkSchema(name, field.getValue(), schema.path("properties").get(name), schema, unknown);
    }
    return unknown;
  }

  private static void walkSchema(
      String path, JsonNode value, JsonNode schema, JsonNode parent, List<String> unknown) {
    if (schema == null) {
      if (!parent.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)
          && !parent.has("additionalProperties")) {
        unknown.add(path);
      }
      return;
    }
    if (schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
      return;
    }
    if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        walkSchema(path + "[" + i + "]", value.get(i), schema.get("items"), schema, unknown);
      }
    } else if (value.isObject() && schema.has("properties")) {
      for (Map.Entry<String, JsonNode> child : value.properties()) {
        walkSchema(
            path + "." + child.getKey(),
            child.getValue(),
            schema.path("properties").get(child.getKey()),
            schema,
            unknown);
      }
    } else if (value.isObject() && schema.path("additionalProperties").isObject()) {
      for (Map.Entry<String, JsonNode> child : value.properties()) {
        walkSchema(
            path + "[" + child.getKey() + "]",
            child.getValue(),
            schema.get("additionalProperties"),
            schema,
            unknown);
      }
    }
  }

  /** kube-apiserver's words for them: {@code unknown field "spec.foo"}. */
  static List<String> messages(List<String> unknown) {
    return unknown.stream().map(path -> "unknown field \"" + path + "\"").toList();
  }
}
