package io.kedge.cloud.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.kedge.cloud.manifest.Manifest;
import io.kedge.cloud.manifest.ManifestReader;
import io.kedge.schemas.ObjectKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Rule and RuleEndpoint CRDs under deploy/ describe what kedge reads: the examples validate
 * against their schemas, broken objects do not, and RuleBook routes the examples.
 */
class RuleCrdsTest {
  private static final Path ROOT = Path.of("..");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Map<String, JsonSchema> SCHEMAS = new HashMap<>();

  @BeforeAll
  static void load() throws IOException {
    for (String file :
        List.of("rules.kubeedge.io_rules.yaml", "rules.kubeedge.io_ruleendpoints.yaml")) {
      JsonNode crd = YAML.readTree(ROOT.resolve("deploy/crds").resolve(file).toFile());
      assertThat(crd.path("apiVersion").asText()).isEqualTo("apiextensions.k8s.io/v1");
      assertThat(crd.path("kind").asText()).isEqualTo("CustomResourceDefinition");
      JsonNode spec = crd.path("spec");
      assertThat(spec.path("group").asText()).isEqualTo("rules.kubeedge.io");
      assertThat(crd.path("metadata").path("name").asText())
          .isEqualTo(spec.path("names").path("plural").asText() + ".rules.kubeedge.io");
      assertThat(spec.path("scope").asText()).isEqualTo("Namespaced");
      JsonNode version = spec.path("versions").get(0);
      assertThat(version.path("name").asText()).isEqualTo("v1");
      SCHEMAS.put(
          spec.path("names").path("kind").asText(),
          JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4)
              .getSchema(version.path("schema").path("openAPIV3Schema")));
    }
  }

  private static List<String> errors(JsonNode object) {
    JsonSchema schema = SCHEMAS.get(object.path("kind").asText());
    assertThat(schema).as("a CRD for " + object.path("kind")).isNotNull();
    List<String> found = new ArrayList<>();
    schema.validate(object).forEach(m -> found.add(m.getMessage()));
    return found;
  }

  @Test
  void theExamplesValidateAndRoute() {
    List<Manifest> manifests = new ManifestReader().read(ROOT.resolve("examples/rules.yaml"));
    assertThat(manifests).hasSize(5);
    RuleBook book = new RuleBook();
    for (Manifest manifest : manifests) {
      assertThat(errors(manifest.object())).as(manifest.key().toString()).isEmpty();
      book.apply(manifest.key(), manifest.object());
    }
    assertThat(book.errors()).isEmpty();
    assertThat(book.restRoute("default", "/greet")).isPresent();
    assertThat(book.eventbusRoutes("edge-1", "default/sensors/temp")).hasSize(1);
  }

  @Test
  void brokenObjectsDoNotValidate() {
    ObjectNode rule = RuleObjects.restToEventbus("default", "r", "rest-in", "edge-mqtt", "/a", "t");
    assertThat(errors(rule)).isEmpty();
    ((ObjectNode) rule.path("spec")).remove("target");
    assertThat(errors(rule)).anyMatch(e -> e.contains("target"));
    ObjectNode endpoint = RuleObjects.endpoint("default", "e", "ftp");
    assertThat(errors(endpoint)).anyMatch(e -> e.contains("ruleEndpointType"));
    ObjectNode numbers = RuleObjects.restToEventbus("default", "r", "a", "b", "/a", "t");
    ((ObjectNode) numbers.path("spec").path("targetResource")).put("topic", 7);
    assertThat(errors(numbers)).anyMatch(e -> e.contains("topic"));
    assertThat(ObjectKey.of(rule).group()).isEqualTo(RuleBook.GROUP);
  }
}
