package io.kedge.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigDefTest {
  enum Policy {
    REJECT_NEW,
    DROP_OLDEST
  }

  static final ConfigKey<String> NODE = ConfigKey.requiredString("edge.node", "node name");
  static final ConfigKey<Integer> PORT = ConfigKey.port("edge.api-port", 10550, false, "API port");
  static final ConfigKey<Duration> RETENTION =
      ConfigKey.duration(
          "topics.node-retention", Duration.ofDays(7), Duration.ofMinutes(1), "retention");
  static final ConfigKey<Policy> POLICY =
      ConfigKey.choice(
          "uplink.full-policy", Policy.class, Policy.REJECT_NEW, "what to do when full");
  static final ConfigKey<String> PASSWORD =
      ConfigKey.string("kafka.password", null, "SASL password").asSecret();
  static final ConfigKey<List<String>> NODES =
      ConfigKey.list("local.nodes", List.of("edge-1", "edge-2"), "nodes");
  static final ConfigKey<Long> BUDGET =
      ConfigKey.bytes("log.disk-budget", 1L << 30, 1L << 20, "disk budget");

  static final ConfigSpec DEF =
      new ConfigSpec("edge")
          .define(NODE)
          .define(PORT)
          .define(RETENTION)
          .define(POLICY)
          .define(PASSWORD)
          .define(NODES)
          .define(BUDGET);

  @Test
  void layersFileThenEnvironmentThenFlags(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("edge.yaml");
    Files.writeString(
        file,
        "edge:\n  node: from-file\n  api-port: 1000\ntopics:\n  node-retention: 2h\nlocal:\n  nodes: [a, b, c]\n"
            + "log:\n  disk-budget: 2GiB\n");
    Config config =
        DEF.parse(
            ConfigSources.withEnvironment(
                    Map.of(
                        "KEDGE_EDGE_API_PORT", "2000", "KEDGE_UPLINK_FULL_POLICY", "drop-oldest"))
                .file(file)
                .flag("edge.node", "from-flag", "--node"));

    assertThat(config.get(NODE)).isEqualTo("from-flag");
    assertThat(config.get(PORT)).isEqualTo(2000);
    assertThat(config.get(RETENTION)).isEqualTo(Duration.ofHours(2));
    assertThat(config.get(POLICY)).isEqualTo(Policy.DROP_OLDEST);
    assertThat(config.get(NODES)).containsExactly("a", "b", "c");
    assertThat(config.get(BUDGET)).isEqualTo(2L << 30);
  }

  @Test
  void reportsEveryProblemAtOnceWithKeyValueSourceAndRule(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("edge.yaml");
    Files.writeString(file, "edge:\n  api-prot: 1\ntopics:\n  node-retention: 10s\n");
    ConfigSources sources =
        ConfigSources.withEnvironment(Map.of("KEDGE_UPLINK_FULL_POLICY", "explode"))
            .file(file)
            .flag("edge.api-port", "70000", "--api-port")
            .flag("kafka.password", "hunter2", "--kafka-password")
            .flag("log.disk-budget", "lots", "--disk-budget");

    assertThatThrownBy(() -> DEF.parse(sources))
        .isInstanceOfSatisfying(
            InvalidConfigException.class,
            e -> {
              assertThat(e.problems())
                  .extracting(ConfigProblem::key)
                  .containsExactlyInAnyOrder(
                      "edge.api-prot",
                      "edge.node",
                      "edge.api-port",
                      "topics.node-retention",
                      "uplink.full-policy",
                      "log.disk-budget");
              assertThat(e.getMessage())
                  .contains(
                      "edge.api-prot = '1' (from "
                          + file
                          + "): is not a edge key (did you mean edge.api-port?)")
                  .contains("edge.node is missing: is required")
                  .contains(
                      "edge.api-port = '70000' (from --api-port): must be between 1 and 65535")
                  .contains(
                      "topics.node-retention = '10s' (from " + file + "): must be at least 1m")
                  .contains(
                      "uplink.full-policy = 'explode' (from $KEDGE_UPLINK_FULL_POLICY): must be one of reject-new, drop-oldest")
                  .contains("log.disk-budget = 'lots' (from --disk-budget): must be a size")
                  .doesNotContain("hunter2");
            });
  }

  @Test
  void reportsUnreadableAndMalformedFiles(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "edge: [unclosed\n");
    assertThatThrownBy(
            () ->
                DEF.parse(
                    ConfigSources.withEnvironment(Map.of())
                        .file(bad)
                        .flag("edge.node", "n", "--node")))
        .hasMessageContaining("--config = '" + bad + "': is not valid YAML");
    Path missing = dir.resolve("missing.yaml");
    assertThatThrownBy(
            () ->
                DEF.parse(
                    ConfigSources.withEnvironment(Map.of())
                        .file(missing)
                        .flag("edge.node", "n", "--node")))
        .hasMessageContaining("must be a readable YAML file");
  }

  @Test
  void masksSecretsWhenPrinted() {
    Config config =
        DEF.parse(
            ConfigSources.withEnvironment(Map.of("KEDGE_KAFKA_PASSWORD", "hunter2"))
                .flag("edge.node", "n", "--node"));
    assertThat(config.get(PASSWORD)).isEqualTo("hunter2");
    assertThat(config.toString()).contains("kafka.password=****").doesNotContain("hunter2");
  }

  @Test
  void documentsEveryKey() {
    assertThat(DEF.toMarkdown())
        .contains(
            "| `edge.api-port` | `KEDGE_EDGE_API_PORT` | integer | `10550` | must be between 1 and 65535 | API port |")
        .contains("| `edge.node` | `KEDGE_EDGE_NODE` | string | *required* |")
        .contains("`7d`");
  }
}
