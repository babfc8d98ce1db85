package io.kedge.edge.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.kedge.kube.objects.ApplySchema;
import io.kedge.schemas.EventCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The schema server-side apply follows for built-in kinds ({@link ApplySchema}, in kube-objects) is
 * generated from the protobuf models and the Kubernetes tags in their sources ({@code +listType},
 * {@code +listMapKey}, {@code +mapType}, {@code +structType}, and the patch tags where a list has
 * no list type), as kube-openapi's schema conversion reads them from kube-apiserver's OpenAPI
 * document: this test fails when the committed resource differs, and {@code
 * -Dkedge.docs.update=true} writes it again.
 */
class ApplySchemaTest {
  /** Messages that are scalars in JSON. */
  private static final Set<String> SCALARS =
      Set.of(
          "k8s.io.apimachinery.pkg.api.resource.Quantity",
          "k8s.io.apimachinery.pkg.util.intstr.IntOrString",
          "k8s.io.apimachinery.pkg.apis.meta.v1.Time",
          "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime",
          "k8s.io.apimachinery.pkg.apis.meta.v1.Duration");

  /**
   * Messages holding arbitrary JSON, or a JSON union the protobuf models spell as a message (a CRD
   * schema's {@code JSONSchemaPropsOr...}): maps merge key by key, lists are atomic.
   */
  private static boolean untyped(String message) {
    return message.equals("k8s.io.apimachinery.pkg.runtime.RawExtension")
        || message.equals("k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1")
        || message.endsWith(".JSON")
        || message.contains(".JSONSchemaPropsOr");
  }

  @Test
  void theResourceMatchesTheModelsAndTheirTags() throws Exception {
    ObjectNode schema = generated();
    // spot checks against kube-apiserver's OpenAPI document
    ObjectNode podSpec = (ObjectNode) schema.get("k8s.io.api.core.v1.PodSpec");
    assertThat(podSpec.at("/fields/containers/list").asText()).isEqualTo("map");
    assertThat(podSpec.at("/fields/nodeSelector/atomic").asBoolean()).isTrue();
    assertThat(podSpec.at("/fields/tolerations/list").asText()).isEqualTo("atomic");
    assertThat(schema.at("/k8s.io.api.core.v1.Container/fields/ports/keys").toString())
        .isEqualTo("[\"containerPort\",\"protocol\"]");
    assertThat(schema.at("/k8s.io.api.core.v1.ServiceSpec/fields/selector/atomic").asBoolean())
        .isTrue();
    assertThat(schema.at("/k8s.io.api.discovery.v1.EndpointSlice/fields/ports/list").asText())
        .isEqualTo("atomic");
    assertThat(schema.at("/k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector/atomic").asBoolean())
        .isTrue();
    assertThat(
            schema
                .at("/k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta/fields/finalizers/list")
                .asText())
        .isEqualTo("set");
    CommittedResources.assertCommitted(
        Path.of("../kube-objects/src/main/resources/io/kedge/kube/objects/")
            .resolve(ApplySchema.RESOURCE),
        EventCodec.json().writeValueAsString(schema),
        "./mvnw -pl edge-api test -Dtest=ApplySchemaTest -Dkedge.docs.update=true");
  }

  private static ObjectNode generated() throws Exception {
    Map<String, Map<String, List<String>>> tags = new HashMap<>();
    for (ProtoComments.ApplyTags tag : ProtoComments.applyTags()) {
      tags.merge(tag.message().getFullName() + "#" + tag.jsonName(), tag.tags(), (a, b) -> a);
    }
    Map<String, Map<String, String>> patch = new HashMap<>();
    for (ProtoComments.PatchTags tag : ProtoComments.patchTags()) {
      Map<String, String> values = new HashMap<>();
      values.put("strategy", tag.strategy());
      if (tag.mergeKey() != null) {
        values.put("mergeKey", tag.mergeKey());
      }
      patch.put(tag.message().getFullName() + "#" + tag.jsonName(), values);
    }
    Map<String, ObjectNode> types = new TreeMap<>();
    for (Descriptor message : ProtobufBodies.messages()) {
      if (SCALARS.contains(message.getFullName())
          || untyped(message.getFullName())
          || message.getOptions().getMapEntry()) {
        continue;
      }
      ObjectNode type = EventCodec.json().createObjectNode();
      Map<String, List<String>> own = tags.getOrDefault(message.getFullName() + "#", Map.of());
      if (own.getOrDefault("structType", List.of()).contains("atomic")) {
        type.put("atomic", true);
      }
      ObjectNode fields = EventCodec.json().createObjectNode();
      addFields(message, fields, tags, patch);
      if (!fields.isEmpty()) {
        type.set("fields", fields);
      }
      if (!type.isEmpty()) {
        types.put(message.getFullName(), type);
      }
    }
    ObjectNode schema = EventCodec.json().createObjectNode();
    types.forEach(schema::set);
    return schema;
  }

  /** The fields of {@code message} that are not scalars, inlined fields' among them. */
  private static void addFields(
      Descriptor message,
      ObjectNode fields,
      Map<String, Map<String, List<String>>> tags,
      Map<String, Map<String, String>> patch) {
    for (FieldDescriptor field : message.getFields()) {
      if (ProtobufBodies.inline(field)) {
        addFields(field.getMessageType(), fields, tags, patch);
        continue;
      }
      String json = ProtobufBodies.jsonName(field);
      String id = message.getFullName() + "#" + json;
      ObjectNode shape = shape(field, tags.getOrDefault(id, Map.of()), patch.get(id));
      if (shape != null) {
        fields.set(json, shape);
      }
    }
  }

  /** A field's shape, or null for a scalar. */
  private static ObjectNode shape(
      FieldDescriptor field, Map<String, List<String>> tags, Map<String, String> patch) {
    ObjectNode shape = EventCodec.json().createObjectNode();
    if (field.isMapField()) {
      shape.put("kind", "map");
      if (tags.getOrDefault("mapType", List.of()).contains("atomic")) {
        shape.put("atomic", true);
      }
      FieldDescriptor value = field.getMessageType().findFieldByName("value");
      ObjectNode values = element(value);
      if (values != null) {
        shape.set("values", values);
      }
      return shape;
    }
    if (field.isRepeated()) {
      shape.put("kind", "list");
      String listType = tags.getOrDefault("listType", List.of()).stream().findFirst().orElse(null);
      List<String> keys = tags.getOrDefault("listMapKey", List.of());
      if (listType == null && patch != null && patch.get("strategy").contains("merge")) {
        // kube-openapi: a merge strategy without a list type is a map on the merge key, or a set
        listType = patch.containsKey("mergeKey") ? "map" : "set";
        keys = patch.containsKey("mergeKey") ? List.of(patch.get("mergeKey")) : List.of();
      }
      shape.put("list", listType == null ? "atomic" : listType);
      if ("map".equals(listType)) {
        ArrayNode keyNames = shape.putArray("keys");
        keys.forEach(keyNames::add);
      }
      ObjectNode items = element(field);
      if (items != null) {
        shape.set("items", items);
      }
      return shape;
    }
    ObjectNode element = element(field);
    if (element != null && tags.getOrDefault("mapType", List.of()).contains("atomic")) {
      element.put("atomic", true);
    }
    return element;
  }

  /** What one value of {@code field} is: a message's name, untyped JSON, or null for scalars. */
  private static ObjectNode element(FieldDescriptor field) {
    if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
      return null;
    }
    String name = field.getMessageType().getFullName();
    if (SCALARS.contains(name)) {
      return null;
    }
    ObjectNode element = EventCodec.json().createObjectNode();
    if (untyped(name)) {
      return element.put("kind", "untyped");
    }
    if (ProtobufBodies.isStringList(field.getMessageType())) {
      return element.put("kind", "list").put("list", "atomic");
    }
    return element.put("kind", "struct").put("type", name);
  }

  @Test
  void theListTypesOfTheWholeModelAreKnown() throws Exception {
    List<String> unknown = new ArrayList<>();
    for (ProtoComments.ApplyTags tag : ProtoComments.applyTags()) {
      for (String listType : tag.tags().getOrDefault("listType", List.of())) {
        if (!Set.of("atomic", "set", "map").contains(listType)) {
          unknown.add(tag.message().getFullName() + "." + tag.jsonName() + ": " + listType);
        }
      }
    }
    assertThat(unknown).isEmpty();
  }
}
