package io.kedge.edge.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.view.ResourceTypes;
import io.kedge.edge.api.view.View;
import io.kedge.schemas.EventCodec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Swagger 2.0 document older kubectls read: shapes their parser accepts, Kubernetes' patch tags
 * on the fields, references that resolve. {@code OlderKubectlIT} runs kubectl 1.20 against it.
 */
class OpenApiV2Test {
  private final ObjectNode document =
      new OpenApiV2(new OpenApiV3(new View(ResourceTypes.builtIn(), 100), "v1.35.0"), "v1.35.0")
          .document();
  private final JsonNode definitions = document.path("definitions");

  @Test
  void kindsAreFoundByTheirGroupVersionKind() {
    assertThat(document.path("swagger").asText()).isEqualTo("2.0");
    JsonNode pod = definitions.path("io.k8s.api.core.v1.Pod");
    assertThat(pod.path("x-kubernetes-group-version-kind").toString())
        .isEqualTo("[{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"}]");
    assertThat(pod.path("description").asText()).startsWith("Pod is a collection of containers");
    assertThat(
            definitions
                .path("io.k8s.api.coordination.v1.Lease")
                .path("x-kubernetes-group-version-kind")
                .toString())
        .contains("\"group\":\"coordination.k8s.io\"");
  }

  @Test
  void fieldsCarryKubernetesPatchTags() {
    JsonNode spec = definitions.path("io.k8s.api.core.v1.PodSpec").path("properties");
    assertThat(spec.path("containers").path("x-kubernetes-patch-strategy").asText())
        .isEqualTo("merge");
    assertThat(spec.path("containers").path("x-kubernetes-patch-merge-key").asText())
        .isEqualTo("name");
    assertThat(spec.path("volumes").path("x-kubernetes-patch-strategy").asText())
        .isEqualTo("merge,retainKeys");
    JsonNode container = definitions.path("io.k8s.api.core.v1.Container").path("properties");
    assertThat(container.path("ports").path("x-kubernetes-patch-merge-key").asText())
        .isEqualTo("containerPort");
    assertThat(
            definitions
                .path("io.k8s.api.core.v1.ServiceSpec")
                .path("properties")
                .path("ports")
                .path("x-kubernetes-patch-merge-key")
                .asText())
        .isEqualTo("port");
    assertThat(
            definitions
                .path("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")
                .path("properties")
                .path("finalizers")
                .path("x-kubernetes-patch-strategy")
                .asText())
        .isEqualTo("merge");
    // a list without tags is replaced whole, as kube-apiserver's document says
    assertThat(container.path("command").has("x-kubernetes-patch-strategy")).isFalse();
  }

  @Test
  void shapesAreThoseKubectlsParserTakes() {
    JsonNode spec = definitions.path("io.k8s.api.core.v1.PodSpec");
    // an object with properties has no type (kubectl before 1.22 parsed type object as a map)
    assertThat(spec.has("type")).isFalse();
    JsonNode containers = spec.path("properties").path("containers");
    assertThat(containers.path("type").asText()).isEqualTo("array");
    assertThat(containers.path("items").path("$ref").asText())
        .isEqualTo("#/definitions/io.k8s.api.core.v1.Container");
    JsonNode metadata = definitions.path("io.k8s.api.core.v1.Pod").path("properties");
    assertThat(metadata.path("metadata").path("$ref").asText())
        .isEqualTo("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    assertThat(metadata.path("metadata").has("description")).isTrue();
    JsonNode data = definitions.path("io.k8s.api.core.v1.ConfigMap").path("properties");
    assertThat(data.path("data").path("type").asText()).isEqualTo("object");
    assertThat(data.path("data").path("additionalProperties").path("type").asText())
        .isEqualTo("string");
    JsonNode resources =
        definitions.path("io.k8s.api.core.v1.ResourceRequirements").path("properties");
    // a quantity is a string, which takes any scalar
    assertThat(resources.path("limits").path("additionalProperties").path("type").asText())
        .isEqualTo("string");
    JsonNode port =
        definitions.path("io.k8s.api.core.v1.ServicePort").path("properties").path("targetPort");
    assertThat(port.path("type").asText()).isEqualTo("string");
    assertThat(port.path("format").asText()).isEqualTo("int-or-string");
    // an extension's raw object is any value
    JsonNode raw =
        definitions
            .path("io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry")
            .path("properties")
            .path("fieldsV1");
    assertThat(raw.has("type")).isFalse();
    assertThat(raw.has("properties")).isFalse();
  }

  @Test
  void everyReferenceResolves() {
    List<String> dangling = new ArrayList<>();
    references(definitions, dangling);
    assertThat(definitions.size()).isGreaterThan(200);
    assertThat(dangling).isEmpty();
  }

  private void references(JsonNode node, List<String> dangling) {
    if (node.isObject()) {
      JsonNode ref = node.get("$ref");
      if (ref != null) {
        String name = ref.asText().substring("#/definitions/".length());
        if (!definitions.has(name)) {
          dangling.add(ref.asText());
        }
      }
      node.forEach(child -> references(child, dangling));
    } else if (node.isArray()) {
      node.forEach(child -> references(child, dangling));
    }
  }

  @Test
  void customResourceSchemasKeepWhatSwaggerSays() throws Exception {
    JsonNode v3 =
        EventCodec.json()
            .readTree(
                """
                {"type": "object", "required": ["spec"], "properties": {
                  "spec": {"type": "object", "description": "the spec", "properties": {
                    "replicas": {"type": "integer", "format": "int32"},
                    "port": {"x-kubernetes-int-or-string": true},
                    "note": {"type": "string", "nullable": true},
                    "config": {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
                               "properties": {"a": {"type": "string"}}},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "hosts": {"type": "array", "items": {"type": "string"}},
                    "either": {"anyOf": [{"type": "integer"}, {"type": "object"}]}}}}}
                """);
    JsonNode v2 = OpenApiV2.converted(v3);
    assertThat(v2.has("type")).isFalse();
    assertThat(v2.path("required").toString()).isEqualTo("[\"spec\"]");
    JsonNode spec = v2.path("properties").path("spec");
    assertThat(spec.path("description").asText()).isEqualTo("the spec");
    JsonNode fields = spec.path("properties");
    assertThat(fields.path("replicas").toString())
        .isEqualTo("{\"type\":\"integer\",\"format\":\"int32\"}");
    assertThat(fields.path("port").toString()).isEqualTo("{}");
    assertThat(fields.path("note").toString()).isEqualTo("{}");
    assertThat(fields.path("config").toString()).isEqualTo("{}");
    assertThat(fields.path("either").toString()).isEqualTo("{}");
    assertThat(fields.path("labels").toString())
        .isEqualTo("{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"}}");
    assertThat(fields.path("hosts").toString())
        .isEqualTo("{\"type\":\"array\",\"items\":{\"type\":\"string\"}}");
  }

  @Test
  void theProtobufFormHoldsEveryDefinition() {
    byte[] wire = OpenApiV2.protobuf(document);
    // Document: swagger (1) "2.0", then info (2)
    assertThat(wire[0]).isEqualTo((byte) 0x0A);
    assertThat(new String(wire, 2, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("2.0");
    String text = new String(wire, java.nio.charset.StandardCharsets.ISO_8859_1);
    definitions.fieldNames().forEachRemaining(name -> assertThat(text).as(name).contains(name));
    assertThat(text).contains("x-kubernetes-patch-merge-key", "\"containerPort\"");
  }
}
