package io.kedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kedge.cloud.fleet.FleetSettings;
import io.kedge.cloud.fleet.FleetState;
import io.kedge.cloud.fleet.NodeConditions;
import io.kedge.cloud.fleet.NodeHealth;
import io.kedge.cloud.router.NodeTrust;
import io.kedge.cloud.topics.ResourcesSnapshot;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.edge.relay.link.LinkState;
import io.kedge.kube.authorization.NodeWriteRules;
import io.kedge.launcher.KedgeCommand;
import io.kedge.launcher.NodesCommand;
import io.kedge.runtime.ops.OpsServer;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceUpsert;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The fleet as the cloud sees it from real edge nodes' heartbeats: a node whose link is cut goes
 * offline after the grace period and falls behind its topic, comes back online and catches up when
 * the link returns, its stored heartbeats never setting what the cloud knows back; a restarted node
 * is the same node with a new start time; {@code kedge nodes} shows it all.
 */
class FleetIT {
  private static final String CUT = "fleet-cut";
  private static final String STEADY = "fleet-steady";

  @Test
  void heartbeatsShowLinkLagAndLastSeenAcrossACutAndARestart(@TempDir Path tmp) throws Exception {
    Map<String, Object> flags = Map.of("edge.heartbeat-interval", "1s");
    try (CloudEnvironment cloud = new CloudEnvironment("fleet", tmp);
        Admin admin = Admin.create(Map.of("bootstrap.servers", cloud.kafka.bootstrapServers()));
        FleetState fleet =
            new FleetState(
                    new KafkaConsumer<>(
                        Map.of(
                            "bootstrap.servers",
                            cloud.kafka.bootstrapServers(),
                            "enable.auto.commit",
                            false),
                        new StringDeserializer(),
                        new ByteArrayDeserializer()),
                    admin,
                    cloud.topics,
                    NodeTrust.of(null, NodeWriteRules.ALL),
                    new FleetSettings(Duration.ofSeconds(4), true, Duration.ofHours(1)),
                    Clock.systemUTC())
                .start();
        OpsServer ops = OpsServer.start("127.0.0.1", 0, OpsServer.registry(), () -> null);
        KafkaProducer<String, byte[]> producer =
            new KafkaProducer<>(
                Map.of("bootstrap.servers", cloud.kafka.bootstrapServers(), "acks", "all"),
                new StringSerializer(),
                new ByteArraySerializer());
        NodeConditions conditions =
            NodeConditions.standalone(
                    fleet,
                    producer,
                    cloud.topics.upstream().name(),
                    null,
                    io.kedge.schemas.authorization.NodeSignatures.Generations.NONE,
                    Clock.systemUTC())
                .start(Duration.ofMillis(500))) {
      ops.serveJson(NodesCommand.PATH, fleet::json);
      opsUrl = "http://127.0.0.1:" + ops.port();
      cloud.apply(CloudEnvironment.node(CUT));
      cloud.apply(CloudEnvironment.node(STEADY));
      EdgeNode steady =
          EdgeNode.start(
              CloudEnvironment.edgeConfig(
                  STEADY,
                  cloud.kafka.bootstrapServers(),
                  cloud.prefix,
                  tmp.resolve("steady"),
                  flags),
              "test");
      try (steady) {
        EdgeNode cut = EdgeNode.start(cloud.edgeConfig(CUT, tmp.resolve("cut"), flags), "test");
        long firstStart;
        try (cut) {
          Awaitility.await("both nodes online and caught up")
              .atMost(Duration.ofSeconds(90))
              .until(() -> online(fleet, CUT, 0) && online(fleet, STEADY, 0));
          firstStart = fleet.node(CUT).orElseThrow().startedAtMs();
          assertThat(fleet.node(CUT).orElseThrow().version()).isEqualTo("test");

          // the link cut: heartbeats stop reaching the cloud, the node's topic grows
          cloud.link.cut();
          Awaitility.await("link down")
              .atMost(Duration.ofSeconds(60))
              .until(() -> cut.linkState() == LinkState.DISCONNECTED);
          for (int i = 0; i < 5; i++) {
            cloud.apply(CloudEnvironment.pod("web-" + i, CUT));
          }
          Awaitility.await("offline and behind")
              .atMost(Duration.ofSeconds(60))
              .until(
                  () -> {
                    NodeHealth h = fleet.node(CUT).orElseThrow();
                    return h.link().equals(NodeHealth.OFFLINE) && h.lagRecords() >= 5;
                  });
          assertThat(fleet.node(STEADY).orElseThrow().online()).isTrue();
          Awaitility.await("Ready=Unknown on the cut node's Node, as the lifecycle controller sets")
              .atMost(Duration.ofSeconds(60))
              .until(() -> ready(cloud, CUT).equals("Unknown"));
          assertThat(ready(cloud, STEADY)).isEqualTo("True");
          String table = nodes();
          System.out.println("kedge nodes, one node cut:\n" + table);
          assertThat(line(table, CUT)).contains("OFFLINE");
          assertThat(line(table, STEADY)).contains("CONNECTED");

          // back: online, caught up; what was last seen never went back in time
          List<Long> seen = new ArrayList<>();
          cloud.link.restore();
          Awaitility.await("online and caught up again")
              .atMost(Duration.ofSeconds(90))
              .until(
                  () -> {
                    seen.add(fleet.node(CUT).orElseThrow().lastSeenMs());
                    return online(fleet, CUT, 0);
                  });
          assertThat(seen).isSorted();
          Awaitility.await("Ready=True again")
              .atMost(Duration.ofSeconds(60))
              .until(() -> ready(cloud, CUT).equals("True"));
          Awaitility.await("the node's own API shows the condition the cloud wrote")
              .atMost(Duration.ofSeconds(30))
              .until(
                  () ->
                      cut.view()
                          .get(nodesType(cut), "", CUT)
                          .map(o -> o.toString().contains("KedgeNodeReady"))
                          .orElse(false));
          // the condition the cloud wrote is one more record in the node's topic: behind until
          // the node logs it and its next heartbeat says so
          Awaitility.await("caught up with the condition write, behind 0 s")
              .atMost(Duration.ofSeconds(30))
              .until(
                  () ->
                      online(fleet, CUT, 0) && fleet.node(CUT).orElseThrow().behindSeconds() == 0);
        }

        // a restart: the same node, started again
        try (EdgeNode again =
            EdgeNode.start(cloud.edgeConfig(CUT, tmp.resolve("cut"), flags), "test")) {
          Awaitility.await("restarted node online")
              .atMost(Duration.ofSeconds(90))
              .until(
                  () ->
                      online(fleet, CUT, 0)
                          && fleet.node(CUT).orElseThrow().startedAtMs() > firstStart);
          assertThat(fleet.nodes()).extracting(NodeHealth::node).containsExactly(CUT, STEADY);
          String detail = run("nodes", CUT, "--cloud", "http://127.0.0.1:" + ops.port());
          assertThat(detail).contains("link:").contains("CONNECTED").contains("lagRecords:");
          String json = run("nodes", "-o", "json", "--cloud", "http://127.0.0.1:" + ops.port());
          assertThat(json).contains("\"node\" : \"" + STEADY + "\"");
        }
      }
    }
  }

  /** The Ready condition's status of Node {@code node} in the resources topic ("" if none). */
  private static String ready(CloudEnvironment cloud, String node) {
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                "bootstrap.servers",
                cloud.kafka.bootstrapServers(),
                "enable.auto.commit",
                false,
                "isolation.level",
                "read_committed"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      ResourceUpsert upsert =
          ResourcesSnapshot.read(consumer, cloud.topics.resources().name(), Duration.ofSeconds(30))
              .get(new ObjectKey("", "v1", "Node", "", node).toString());
      if (upsert == null) {
        return "";
      }
      for (JsonNode condition : upsert.object().path("status").path("conditions")) {
        if (condition.path("type").asText().equals("Ready")) {
          return condition.path("status").asText();
        }
      }
      return "";
    }
  }

  private static io.kedge.edge.api.view.ResourceType nodesType(EdgeNode edge) {
    return edge.view().types().byResource("", "v1", "nodes").orElseThrow();
  }

  private static boolean online(FleetState fleet, String node, long lag) {
    return fleet
        .node(node)
        .map(h -> h.online() && h.lagRecords() == lag && h.lastSeenSecondsAgo() < 4)
        .orElse(false);
  }

  private String opsUrl;

  private String nodes() {
    return run("nodes", "--cloud", opsUrl);
  }

  private static String run(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = KedgeCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    int code = cli.execute(args);
    assertThat(code).as(out.toString()).isZero();
    return out.toString();
  }

  private static String line(String table, String node) {
    return table.lines().filter(l -> l.startsWith(node + " ")).findFirst().orElse("");
  }
}
