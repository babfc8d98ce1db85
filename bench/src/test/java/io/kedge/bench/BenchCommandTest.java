package io.kedge.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.kedge.launcher.KedgeCommand;
import org.junit.jupiter.api.Test;

/** With this module on the class path, {@code kedge} has its {@code bench} command. */
class BenchCommandTest {
  @Test
  void kedgeFindsTheBenchCommand() {
    assertThat(KedgeCommand.commandLine().getSubcommands()).containsKey("bench");
    KedgeCommand.Outcome help = KedgeCommand.run("bench", "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("Usage: kedge bench");
  }

  @Test
  void anUnknownBenchmarkIsAUsageErrorNamingTheKnownOnes() {
    KedgeCommand.Outcome outcome = KedgeCommand.run("bench", "nope");
    assertThat(outcome.exit()).isEqualTo(KedgeCommand.CONFIG_ERROR);
    assertThat(outcome.err()).contains("unknown benchmark 'nope'").contains("list");
  }

  @Test
  void anUnknownOpcUaServerStackIsAUsageErrorNamingTheKnownOnes() {
    KedgeCommand.Outcome outcome = KedgeCommand.run("bench", "opcua", "--server", "open62541");
    assertThat(outcome.exit()).isEqualTo(KedgeCommand.CONFIG_ERROR);
    assertThat(outcome.err())
        .contains("--server 'open62541' is not a server stack: use milo or node-opcua");
  }
}
