package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.kedge.edge.api.view.ResourceType;
import io.kedge.edge.api.view.View;
import io.kedge.schemas.EventCodec;
import io.kubernetes.client.proto.Meta;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * {@code /openapi/v3}: the index of group-versions and one document per group-version, which {@code
 * kubectl explain} reads. Built-in kinds are described from the structure of Kubernetes' models
 * (the protobuf descriptors the edge API decodes bodies with: field names and types) with
 * Kubernetes' descriptions beside them ({@link OpenApiDescriptions}); custom resources from their
 * CRD's {@code openAPIV3Schema}.
 */
final class OpenApiV3 {
  private static final String PREFIX = "/openapi/v3/";

  private final View view;
  private final String version;

  OpenApiV3(View view, String version) {
    this.view = view;
    this.version = version;
  }

  /** The index: every served group-version and where its document is. */
  ObjectNode index() {
    ObjectNode index = EventCodec.json().createObjectNode();
    ObjectNode paths = index.putObject("paths");
    groupVersions()
        .forEach(p -> paths.putObject(p).put("serverRelativeURL", PREFIX + p + "?hash=" + version));
    return index;
  }

  /** Every served group-version's path, e.g. {@code api/v1}, {@code apis/apps/v1}, sorted. */
  SortedSet<String> groupVersions() {
    SortedSet<String> paths = new TreeSet<>();
    for (ResourceType type : view.types().all()) {
      paths.add(groupVersionPath(type));
    }
    return paths;
  }

  private static String groupVersionPath(ResourceType type) {
    return type.group().isEmpty()
        ? "api/" + type.version()
        : "apis/" + type.group() + "/" + type.version();
  }

  /** The document of {@code path} (e.g. {@code api/v1}), or null when nothing is served there. */
  ObjectNode document(String path) {
    return document(path, new Descriptions());
  }

  /** {@link OpenApiDescriptions}, read once, when a built-in kind is first described. */
  static final class Descriptions {
    private OpenApiDescriptions loaded;

    OpenApiDescriptions get() {
      if (loaded == null) {
        loaded = OpenApiDescriptions.load();
      }
      return loaded;
    }
  }

  /** The document of {@code path}, reading Kubernetes' descriptions through {@code described}. */
  ObjectNode document(String path, Descriptions described) {
    ObjectNode schemas = EventCodec.json().createObjectNode();
    ObjectNode paths = EventCodec.json().createObjectNode();
    boolean any = false;
    for (ResourceType type : view.types().all()) {
      if (!groupVersionPath(type).equals(path)) {
        continue;
      }
      any = true;
      ObjectNode schema = customResourceSchema(type);
      String name;
      if (schema != null) {
        name = reverseDomain(type.group()) + "." + type.version() + "." + type.kind();
        schemas.set(name, withObjectMeta(schema, schemas, described.get()));
      } else {
        Descriptor message = ProtobufBodies.descriptor(type.apiVersion(), type.kind()).orElse(null);
        if (message == null) {
          continue; // no model of this kind: kubectl explain says it finds no schema
        }
        name = addMessage(message, schemas, described.get());
        addTypeMeta(message, (ObjectNode) schemas.get(name), described.get());
      }
      ObjectNode gvk =
          ((ObjectNode) schemas.get(name))
              .putArray("x-kubernetes-group-version-kind")
              .addObject()
              .put("group", type.group())
              .put("version", type.version())
              .put("kind", type.kind());
      // kubectl explain finds a resource's kind through the operations on its path
      String collection =
          "/" + path + (type.namespaced() ? "/namespaces/{namespace}/" : "/") + type.plural();
      paths.putObject(collection).putObject("get").set("x-kubernetes-group-version-kind", gvk);
      // kubectl sends fieldValidation=Strict where the PATCH operation lists the parameter
      ObjectNode patch = paths.putObject(collection + "/{name}").putObject("patch");
      patch.set("x-kubernetes-group-version-kind", gvk);
      patch
          .putArray("parameters")
          .addObject()
          .put("name", "fieldValidation")
          .put("in", "query")
          .putObject("schema")
          .put("type", "string");
    }
    if (!any) {
      return null;
    }
    ObjectNode doc = EventCodec.json().createObjectNode();
    doc.put("openapi", "3.0.0");
    doc.putObject("info").put("title", "kedge edge API").put("version", version);
    doc.set("paths", paths);
    doc.putObject("components").set("schemas", schemas);
    return doc;
  }

  /**
   * The served version's schema from its CRD, or null for a kind without one: the CRD the node
   * holds, else kedge's own for the KubeEdge kinds ({@link BundledCrds}).
   */
  ObjectNode customResourceSchema(ResourceType type) {
    var crds = view.types().byResource("apiextensions.k8s.io", "v1", "customresourcedefinitions");
    if (crds.isPresent()) {
      var stored = view.get(crds.get(), "", type.plural() + "." + type.group());
      if (stored.isPresent()) {
        ObjectNode schema = BundledCrds.versionSchema(stored.get().object(), type.version());
        return schema == null ? null : schema.deepCopy();
      }
    }
    return BundledCrds.schema(type);
  }

  /**
   * A custom resource's schema as kube-apiserver publishes it: {@code apiVersion} and {@code kind}
   * where the CRD leaves them out, {@code metadata} the ObjectMeta schema whatever the CRD says of
   * it (kubectl's client-side validation would refuse every object's type fields otherwise).
   */
  private static ObjectNode withObjectMeta(
      ObjectNode schema, ObjectNode schemas, OpenApiDescriptions descriptions) {
    ObjectNode properties = EventCodec.json().createObjectNode();
    for (String typeField : new String[] {"apiVersion", "kind"}) {
      properties.putObject(typeField).put("type", "string");
    }
    // the lean edge image holds the models' file descriptors, not their message classes
    String objectMeta =
        addMessage(Meta.getDescriptor().findMessageTypeByName("ObjectMeta"), schemas, descriptions);
    properties
        .putObject("metadata")
        .putArray("allOf")
        .addObject()
        .put("$ref", "#/components/schemas/" + objectMeta);
    if (schema.path("properties").isObject()) {
      schema
          .get("properties")
          .properties()
          .forEach(
              p -> {
                if (!p.getKey().equals("metadata")) {
                  properties.set(p.getKey(), p.getValue());
                }
              });
    }
    schema.put("type", "object");
    schema.set("properties", properties);
    return schema;
  }

  /** Adds {@code message} and every message it uses; returns its schema name. */
  private static String addMessage(
      Descriptor root, ObjectNode schemas, OpenApiDescriptions descriptions) {
    Deque<Descriptor> todo = new ArrayDeque<>();
    todo.add(root);
    while (!todo.isEmpty()) {
      Descriptor message = todo.poll();
      String name = schemaName(message);
      if (schemas.has(name)) {
        continue;
      }
      ObjectNode schema = schemas.putObject(name);
      String description = descriptions.type(message);
      if (description != null) {
        schema.put("description", description);
      }
      schema.put("type", "object");
      addProperties(message, schema.putObject("properties"), todo, descriptions);
    }
    return schemaName(root);
  }

  /**
   * A kind's {@code apiVersion} and {@code kind}, first, as kube-apiserver's schemas have them: the
   * protobuf models carry them in the envelope, not in the message, and kubectl's client-side
   * validation refuses a field its schema lacks.
   */
  private static void addTypeMeta(
      Descriptor kind, ObjectNode schema, OpenApiDescriptions descriptions) {
    ObjectNode properties = EventCodec.json().createObjectNode();
    for (String name : new String[] {"apiVersion", "kind"}) {
      ObjectNode field = properties.putObject(name).put("type", "string");
      String description = descriptions.field(kind, name);
      if (description != null) {
        field.put("description", description);
      }
    }
    properties.setAll((ObjectNode) schema.get("properties"));
    schema.set("properties", properties);
  }

  /** A message's fields as JSON properties; an inlined field's own fields stand in its place. */
  private static void addProperties(
      Descriptor message,
      ObjectNode properties,
      Deque<Descriptor> todo,
      OpenApiDescriptions descriptions) {
    for (FieldDescriptor field : message.getFields()) {
      if (ProtobufBodies.inline(field)) {
        addProperties(field.getMessageType(), properties, todo, descriptions);
      } else {
        String jsonName = ProtobufBodies.jsonName(field);
        ObjectNode schema = fieldSchema(field, todo);
        String description = descriptions.field(message, jsonName);
        if (description != null) {
          schema.put("description", description);
        }
        JsonNode patchTags = descriptions.patchTags(message, jsonName);
        if (patchTags != null) {
          schema.setAll((ObjectNode) patchTags);
        }
        properties.set(jsonName, schema);
      }
    }
  }

  private static ObjectNode fieldSchema(FieldDescriptor field, Deque<Descriptor> todo) {
    if (field.isMapField()) {
      ObjectNode map = EventCodec.json().createObjectNode().put("type", "object");
      FieldDescriptor value = field.getMessageType().findFieldByName("value");
      map.set("additionalProperties", valueSchema(value, todo));
      return map;
    }
    ObjectNode single = valueSchema(field, todo);
    if (!field.isRepeated()) {
      return single;
    }
    ObjectNode array = EventCodec.json().createObjectNode().put("type", "array");
    array.set("items", single);
    return array;
  }

  private static ObjectNode valueSchema(FieldDescriptor field, Deque<Descriptor> todo) {
    ObjectNode schema = EventCodec.json().createObjectNode();
    switch (field.getJavaType()) {
      case INT -> schema.put("type", "integer").put("format", "int32");
      case LONG -> schema.put("type", "integer").put("format", "int64");
      case FLOAT, DOUBLE -> schema.put("type", "number").put("format", "double");
      case BOOLEAN -> schema.put("type", "boolean");
      case STRING, ENUM -> schema.put("type", "string");
      case BYTE_STRING -> schema.put("type", "string").put("format", "byte");
      case MESSAGE -> {
        String type = field.getMessageType().getFullName();
        switch (type) {
          case "k8s.io.apimachinery.pkg.apis.meta.v1.Time",
              "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime" ->
              schema.put("type", "string").put("format", "date-time");
          case "k8s.io.apimachinery.pkg.apis.meta.v1.Duration" -> schema.put("type", "string");
          case "k8s.io.apimachinery.pkg.api.resource.Quantity" -> {
            // written as "500m" or as a number, as kube-apiserver's schema allows
            var oneOf = schema.putArray("oneOf");
            oneOf.addObject().put("type", "string");
            oneOf.addObject().put("type", "number");
          }
          case "k8s.io.apimachinery.pkg.util.intstr.IntOrString" ->
              schema
                  .put("type", "string")
                  .put("format", "int-or-string")
                  .put("x-kubernetes-int-or-string", true);
          case "k8s.io.apimachinery.pkg.runtime.RawExtension",
              "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1" ->
              schema.put("type", "object");
          default -> {
            todo.add(field.getMessageType());
            schema
                .putArray("allOf")
                .addObject()
                .put("$ref", "#/components/schemas/" + schemaName(field.getMessageType()));
          }
        }
      }
    }
    return schema;
  }

  /** {@code k8s.io.api.core.v1.Pod -> io.k8s.api.core.v1.Pod}, as Kubernetes names its schemas. */
  private static String schemaName(Descriptor message) {
    String full = message.getFullName();
    return full.startsWith("k8s.io.") ? "io.k8s." + full.substring("k8s.io.".length()) : full;
  }

  private static String reverseDomain(String group) {
    String[] parts = group.split("\\.");
    StringBuilder out = new StringBuilder();
    for (int i = parts.length - 1; i >= 0; i--) {
      out.append(parts[i]);
      if (i > 0) {
        out.append('.');
      }
    }
    return out.toString();
  }

  static boolean isPath(String path) {
    return path.equals("/openapi/v3") || path.startsWith(PREFIX);
  }

  /** The group-version part of a document's path, e.g. {@code api/v1}. */
  static String groupVersion(String path) {
    return path.substring(PREFIX.length());
  }
}
