package io.kedge.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kedge.runtime.config.InvalidConfigException;
import io.kedge.schemas.authorization.NodeSignatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Join files as kedge node add writes them, and the generation of the key they carry. */
class JoinFileTest {
  @TempDir Path tmp;

  private final String key =
      NodeSignatures.encode(NodeSignatures.nodeKey(new byte[32], "edge-7", 3));

  @Test
  void theKeysGenerationTravelsToTheEdgeSettings() throws Exception {
    Path file = tmp.resolve("edge-7.join.yaml");
    new JoinFile("edge-7", "kafka:9093", "kedge", Map.of("security.protocol", "SASL_SSL"), key, 3)
        .write(file);
    JoinFile read = JoinFile.read(file);
    assertThat(read.nodeKeyGeneration()).isEqualTo(3);
    assertThat(read.nodeKey()).isEqualTo(key);

    JoinFile.Secrets secrets = read.store(tmp.resolve("join"));
    assertThat(secrets.nodeKeyGeneration()).isEqualTo(3);
    assertThat(Files.readString(secrets.nodeKey()).strip()).isEqualTo(key);
  }

  @Test
  void aJoinFileWithoutAGenerationCarriesTheFirstKey() throws Exception {
    Path file = tmp.resolve("old.join.yaml");
    Files.writeString(file, joinYaml(""));
    assertThat(JoinFile.read(file).nodeKeyGeneration()).isZero();
  }

  @Test
  void aGenerationThatIsNotACountIsAConfigErrorNamingIt() throws Exception {
    for (String bad : new String[] {"-1", "two", "1.5"}) {
      Path file = tmp.resolve("bad.join.yaml");
      Files.writeString(file, joinYaml("nodeKeyGeneration: " + bad + "\n"));
      assertThatThrownBy(() -> JoinFile.read(file))
          .isInstanceOf(InvalidConfigException.class)
          .hasMessageContaining("--join")
          .hasMessageContaining("nodeKeyGeneration must be an integer >= 0");
    }
  }

  private String joinYaml(String extra) {
    return "kind: NodeJoin\nnode: edge-7\nkafka:\n  bootstrap: kafka:9093\n  topicPrefix: kedge\n"
        + "nodeKey: "
        + key
        + "\n"
        + extra;
  }
}
