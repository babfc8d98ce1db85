package io.kedge.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.kedge.kafka.local.LocalKafkaCluster;
import io.kedge.schemas.KedgeTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kedge apply} refuses Rules and RuleEndpoints that would not route, beside what is stored,
 * with the reasons the validating webhook gives in Kubernetes mode, and applies nothing of the file
 * then.
 */
class ApplyRulesIT {
  @TempDir Path tmp;

  private static final String ENDPOINTS =
      """
      apiVersion: rules.kubeedge.io/v1
      kind: RuleEndpoint
      metadata: {name: rest-in, namespace: default}
      spec: {ruleEndpointType: rest, properties: {}}
      ---
      apiVersion: rules.kubeedge.io/v1
      kind: RuleEndpoint
      metadata: {name: mqtt, namespace: default}
      spec: {ruleEndpointType: eventbus, properties: {}}
      """;

  private static String rule(String name, String target, String path) {
    return """
        apiVersion: rules.kubeedge.io/v1
        kind: Rule
        metadata: {name: %s, namespace: default}
        spec:
          source: rest-in
          sourceResource: {path: "%s"}
          target: %s
          targetResource: {topic: "t-%s"}
        """
        .formatted(name, path, target, name);
  }

  @Test
  void invalidRulesAreRefusedWithTheirReasonsAndNothingIsApplied() throws Exception {
    try (LocalKafkaCluster kafka =
            LocalKafkaCluster.builder()
                .dataDir(tmp.resolve("kafka"))
                .build()
                .start(Duration.ofSeconds(60));
        Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      KedgeTopics topics = new KedgeTopics(KedgeTopics.DEFAULT_PREFIX, 1, Duration.ofDays(1));
      admin
          .createTopics(List.of(new NewTopic(topics.resources().name(), 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);

      assertThat(apply(kafka, "endpoints.yaml", ENDPOINTS).exit()).isZero();
      assertThat(apply(kafka, "greet.yaml", rule("greet", "mqtt", "/greet")).exit()).isZero();

      KedgeCommand.Outcome missing = apply(kafka, "missing.yaml", rule("lost", "nowhere", "/lost"));
      assertThat(missing.exit()).isEqualTo(1);
      assertThat(missing.err())
          .contains(
              "Rule default/lost is refused: target RuleEndpoint default/nowhere does not exist")
          .contains("nothing was applied");

      KedgeCommand.Outcome taken =
          apply(
              kafka,
              "taken.yaml",
              rule("fine", "mqtt", "/fine") + "---\n" + rule("copy", "mqtt", "/greet"));
      assertThat(taken.exit()).isEqualTo(1);
      assertThat(taken.err())
          .contains(
              "Rule default/copy is refused: source default rest path /greet is already used by rule default/greet")
          .doesNotContain("default/fine is refused");

      // nothing of a refused file was applied: fine's path is still free
      assertThat(apply(kafka, "fine.yaml", rule("fine", "mqtt", "/fine")).exit()).isZero();
    }
  }

  private KedgeCommand.Outcome apply(LocalKafkaCluster kafka, String file, String yaml)
      throws Exception {
    Path path = tmp.resolve(file);
    Files.writeString(path, yaml);
    return KedgeCommand.run("apply", "-f", path.toString(), "--kafka", kafka.bootstrapServers());
  }
}
