package io.kedge.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KedgeCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = KedgeCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void badLocalConfigListsEveryProblemWithKeyValueAndRule(@TempDir Path dir) {
    int code =
        run(
            "local",
            "--nodes",
            "edge-1,Bad_Node",
            "--kafka-port",
            "99999",
            "--config",
            dir.resolve("missing.yaml").toString());

    assertThat(code).isEqualTo(KedgeCommand.CONFIG_ERROR);
    assertThat(err.toString())
        .contains("3 configuration problems")
        .contains(
            "local.nodes = 'edge-1,Bad_Node' (from --nodes): must be 1-20 distinct DNS-subdomain node names")
        .contains("local.kafka-port = '99999' (from --kafka-port): must be between 0 and 65535")
        .contains("--config = '" + dir.resolve("missing.yaml") + "': must be a readable YAML file");
  }

  @Test
  void everySubcommandAnswersHelp() {
    for (String sub : KedgeCommand.commandLine().getSubcommands().keySet()) {
      if (sub.equals("help")) {
        continue;
      }
      assertThat(run(sub, "--help")).as(sub).isZero();
      assertThat(out.toString()).contains("Usage: kedge " + sub);
    }
  }

  @Test
  void versionNamesKedgeAndKafka() {
    assertThat(run("version")).isZero();
    assertThat(out.toString()).containsPattern("kedge \\d+\\.\\d+").contains("kafka 4.3.0");
  }

  @Test
  void withoutTheBenchmarksOnTheClassPathThereIsNoBenchCommand() {
    assertThat(KedgeCommand.commandLine().getSubcommands()).doesNotContainKey("bench");
    assertThat(run("bench", "list")).isEqualTo(2);
    assertThat(err.toString()).contains("Unmatched arguments");
  }

  @Test
  void applyRefusesKafkaClientSettingsThatKedgeOwns(@TempDir Path dir) throws Exception {
    Path settings = dir.resolve("kafka.properties");
    java.nio.file.Files.writeString(settings, "security.protocol=SASL_SSL\nacks=1\n");
    Path pod = dir.resolve("pod.yaml");
    java.nio.file.Files.writeString(pod, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n");

    int code = run("apply", "-f", pod.toString(), "--kafka-client-properties", settings.toString());

    assertThat(code).isEqualTo(KedgeCommand.CONFIG_ERROR);
    assertThat(err.toString())
        .contains("kafka.client-properties")
        .contains(settings.toString())
        .contains("sets acks, which kedge chooses itself");
  }

  @Test
  void aManifestDirectoryInKubernetesModeIsAConfigError(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("cloud.yaml");
    java.nio.file.Files.writeString(
        config, "cloud:\n  mode: kubernetes\nmanifests:\n  dir: /srv/manifests\n");

    int code = run("cloud", "--kafka", "127.0.0.1:1", "--config", config.toString());

    assertThat(code).isEqualTo(KedgeCommand.CONFIG_ERROR);
    assertThat(err.toString())
        .contains("manifests.dir = '/srv/manifests'")
        .contains("must be empty in kubernetes mode");
  }

  @Test
  void unknownOptionIsAUsageError() {
    assertThat(run("local", "--no-such-flag")).isEqualTo(2);
    assertThat(err.toString()).contains("Unknown option: '--no-such-flag'");
  }
}
