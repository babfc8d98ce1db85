package io.kedge.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.kedge.cloud.CloudConfig;
import io.kedge.edge.relay.EdgeConfig;
import io.kedge.mapper.opcua.MapperConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is generated from the config definitions, so it cannot drift from the code.
 * Regenerate with {@code ./mvnw -pl launcher verify -Dkedge.docs.update=true}.
 */
class ConfigurationReferenceTest {
  static String reference() {
    return "# Configuration reference\n\n"
        + "<!-- Generated from the config definitions by ConfigurationReferenceTest; do not edit. -->\n\n"
        + "Every key can be set in the YAML file given with `--config` (nested maps: `edge: {api-port: 1}`),\n"
        + "overridden by its environment variable, then by the command-line flag. Durations are written\n"
        + "`500ms`, `30s`, `5m`, `2h`, `7d`; sizes `512MiB`. All problems are reported at once, each naming\n"
        + "the key, the value, where it came from and the rule.\n\n"
        + LocalConfig.DEF.toMarkdown()
        + "\n"
        + CloudConfig.DEF.toMarkdown()
        + "\n"
        + EdgeConfig.DEF.toMarkdown()
        + "\n"
        + MapperConfig.DEF.toMarkdown();
  }

  @Test
  void docsMatchTheDefinitions() throws Exception {
    Path doc = repositoryRoot().resolve("docs/configuration.md");
    String expected = reference();
    if (Boolean.getBoolean("kedge.docs.update")) {
      Files.writeString(doc, expected, StandardCharsets.UTF_8);
    }
    assertThat(Files.readString(doc, StandardCharsets.UTF_8))
        .as(
            "docs/configuration.md is stale: run ./mvnw -pl launcher verify -Dkedge.docs.update=true")
        .isEqualTo(expected);
  }

  static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("docs"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "repository root not found above " + Path.of("").toAbsolutePath());
  }
}
