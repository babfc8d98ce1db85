package io.kedge.it.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ScenarioEnvironmentTest {
  @Test
  void anUnknownChoiceNamesThePropertyAndTheChoices() {
    assertThatThrownBy(() -> ScenarioEnvironment.choose("kind"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-Dkedge.it.environment=kind")
        .hasMessageContaining("auto")
        .hasMessageContaining("local")
        .hasMessageContaining("docker");
  }

  @Test
  void dockerWithoutAnEngineFailsInsteadOfTestingSomethingElse() {
    ScenarioEnvironment auto = ScenarioEnvironment.choose("auto");
    Assumptions.assumeTrue(
        auto instanceof LocalEnvironment, "SKIPPED: a Docker engine is reachable here");
    assertThatThrownBy(() -> ScenarioEnvironment.choose("docker"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no Docker engine is reachable");
    assertThat(auto.describe()).startsWith("local processes");
  }

  @Test
  void theKafkaImageIsTheVersionOfTheKafkaClients() {
    assertThat(Images.KAFKA).isEqualTo("apache/kafka:" + AppInfoParser.getVersion());
  }

  @Test
  void theLocalKafkaServesItsEdgeListenerApartFromItsClients() {
    ScenarioEnvironment local = ScenarioEnvironment.choose("local");
    try (ScenarioKafka kafka =
        local.kafka(KafkaSpec.single().withEdgeListener(1), Duration.ofSeconds(60))) {
      assertThat(kafka.size()).isEqualTo(1);
      assertThat(kafka.edgeListener())
          .startsWith("127.0.0.1:")
          .isNotEqualTo(kafka.bootstrapServers());
    }
    try (ScenarioKafka plain = local.kafka(KafkaSpec.single(), Duration.ofSeconds(60))) {
      assertThatThrownBy(plain::edgeListener).hasMessageContaining("without an edge listener");
    }
  }

  @Test
  void aClusterNeedsANode() {
    assertThatThrownBy(() -> KafkaSpec.cluster(0)).hasMessageContaining("nodes must be at least 1");
  }
}
