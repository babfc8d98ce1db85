package io.kedge.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.kedge.testkit.ChildJvm;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kedge local} as a user runs it: a process that gets ready, serves, and stops on SIGTERM.
 */
class LocalCommandIT {
  @Test
  void reachesReadyCreatesTopicsAndStopsCleanly(@TempDir Path tmp) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<String> args =
        List.of(
            "local",
            "--kafka-port",
            Integer.toString(port),
            "--data-dir",
            tmp.resolve("data").toString(),
            "--nodes",
            "edge-1,edge-2");
    try (ChildJvm local =
        ChildJvm.start(
            "kedge-local", Main.class, ChildJvm.chronicleFlags(), args, tmp.resolve("local.log"))) {
      local.awaitOutput(
          Pattern.compile(Pattern.quote(LocalCommand.READY_LINE)), Duration.ofSeconds(120));

      try (Admin admin =
          Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port))) {
        Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        assertThat(topics)
            .contains(
                "kedge.resources",
                "kedge.upstream",
                "kedge.deadletter",
                "kedge.node.edge-1",
                "kedge.node.edge-2");
      }
      assertThat(local.readOutput()).contains("kafka      127.0.0.1:" + port);

      int exit = local.stop(Duration.ofSeconds(60));
      assertThat(exit)
          .as("0, or 143: the JVM's status after SIGTERM once its shutdown hooks finished")
          .isIn(0, 143);
      assertThat(local.readOutput()).contains("kedge local stopped");
    }
  }
}
