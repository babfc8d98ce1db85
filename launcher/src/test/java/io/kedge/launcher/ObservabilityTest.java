package io.kedge.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.kedge.schemas.EventCodec;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The dashboard and alert rules in deploy/observability load (each valid against the schema of its
 * format) and name only metrics kedge exports: every {@code kedge_*} series in their expressions is
 * in the generated docs/metrics.md.
 */
class ObservabilityTest {
  private static final Pattern SERIES = Pattern.compile("kedge_[a-z0-9_]+");
  private final Path root = ConfigurationReferenceTest.repositoryRoot();

  @Test
  void alertRulesAreValidAndNameRealMetrics() throws Exception {
    JsonNode rules =
        new YAMLMapper().readTree(root.resolve("deploy/observability/kedge-alerts.yaml").toFile());
    assertThat(schema("prometheus-rules.schema.json").validate(rules)).isEmpty();
    List<String> expressions = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (JsonNode group : rules.path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        expressions.add(rule.path("expr").asText());
        assertThat(names.add(rule.path("alert").asText())).as("alert names are unique").isTrue();
        assertThat(rule.path("labels").path("severity").asText()).isIn("warning", "critical");
        assertThat(rule.path("annotations").path("summary").asText()).isNotEmpty();
      }
    }
    assertThat(names).hasSizeGreaterThanOrEqualTo(6);
    assertNamesRealMetrics(expressions);
  }

  @Test
  void dashboardIsValidAndNamesRealMetrics() throws Exception {
    JsonNode dashboard =
        EventCodec.json()
            .readTree(Files.readString(root.resolve("deploy/observability/kedge-dashboard.json")));
    assertThat(schema("grafana-dashboard.schema.json").validate(dashboard)).isEmpty();
    List<String> expressions = new ArrayList<>();
    Set<Integer> ids = new HashSet<>();
    for (JsonNode panel : dashboard.path("panels")) {
      assertThat(ids.add(panel.path("id").asInt())).as("panel ids are unique").isTrue();
      JsonNode grid = panel.path("gridPos");
      assertThat(grid.path("x").asInt() + grid.path("w").asInt()).isLessThanOrEqualTo(24);
      panel.path("targets").forEach(t -> expressions.add(t.path("expr").asText()));
    }
    dashboard
        .path("templating")
        .path("list")
        .forEach(v -> expressions.add(v.path("definition").asText("")));
    assertNamesRealMetrics(expressions);
  }

  private void assertNamesRealMetrics(List<String> expressions) throws Exception {
    String reference = Files.readString(root.resolve("docs/metrics.md"));
    Set<String> used = new TreeSet<>();
    for (String expr : expressions) {
      Matcher m = SERIES.matcher(expr);
      while (m.find()) {
        used.add(m.group());
      }
    }
    assertThat(used).as("kedge series the file uses").isNotEmpty();
    assertThat(used)
        .allSatisfy(
            name ->
                assertThat(reference)
                    .as(name + " is a series in docs/metrics.md")
                    .contains("`" + name + "`"));
  }

  private JsonSchema schema(String name) throws Exception {
    try (InputStream in = getClass().getResourceAsStream("/observability/" + name)) {
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
    }
  }
}
