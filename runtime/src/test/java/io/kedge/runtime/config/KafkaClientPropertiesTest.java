package io.kedge.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientPropertiesTest {
  @TempDir Path dir;

  @Test
  void readsSecuritySettings() throws Exception {
    Path file = dir.resolve("kafka.properties");
    Files.writeString(
        file,
        "security.protocol=SASL_SSL\n"
            + "sasl.mechanism=SCRAM-SHA-512\n"
            + "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"edge-1\" password=\"x\";\n"
            + "ssl.truststore.location=/etc/kedge/ca.p12\n");
    assertThat(KafkaClientProperties.load(file.toString()))
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsKey("sasl.jaas.config")
        .hasSize(4);
    assertThat(KafkaClientProperties.load("")).isEmpty();
  }

  @Test
  void refusesWhatKedgeOwnsAndNamesTheKey() throws Exception {
    Path file = dir.resolve("bad.properties");
    Files.writeString(file, "security.protocol=SSL\nenable.idempotence=false\n");
    assertThatThrownBy(() -> KafkaClientProperties.load(file.toString()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("kafka.client-properties")
        .hasMessageContaining(file.toString())
        .hasMessageContaining("enable.idempotence, which kedge chooses itself");
    Files.writeString(file, "bootstrap.servers=elsewhere:9092\n");
    assertThatThrownBy(() -> KafkaClientProperties.load(file.toString()))
        .hasMessageContaining("use kafka.bootstrap");
    assertThatThrownBy(() -> KafkaClientProperties.load(dir.resolve("none").toString()))
        .hasMessageContaining("must be a readable Java properties file");
  }
}
