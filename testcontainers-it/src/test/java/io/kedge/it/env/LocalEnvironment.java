package io.kedge.it.env;

import io.kedge.kafka.local.LocalKafkaCluster;
import io.kedge.runtime.net.FreePorts;
import io.kedge.testkit.LocalPostgres;
import io.kedge.testkit.LocalServices;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;

/** Real local processes: kedge's in-process KRaft Kafka, local PostgreSQL, local Mosquitto. */
final class LocalEnvironment implements ScenarioEnvironment {
  private final String why;

  LocalEnvironment(String why) {
    this.why = why;
  }

  @Override
  public String describe() {
    return "local processes (in-process KRaft Kafka, PostgreSQL binaries, Mosquitto on"
        + " 127.0.0.1:1883): "
        + why;
  }

  @Override
  public ScenarioKafka kafka(KafkaSpec spec, Duration timeout) {
    LocalKafkaCluster.Builder builder = LocalKafkaCluster.builder().nodes(spec.nodes());
    int edgePort = -1;
    if (spec.edgeAdvertisedPort() > 0) {
      edgePort = FreePorts.on("127.0.0.1");
      builder.listener("EDGE", edgePort, spec.edgeAdvertisedPort());
    }
    LocalKafkaCluster cluster = builder.build().start(timeout);
    String edge = edgePort > 0 ? "127.0.0.1:" + edgePort : null;
    return new ScenarioKafka() {
      @Override
      public String bootstrapServers() {
        return cluster.bootstrapServers();
      }

      @Override
      public String edgeListener() {
        if (edge == null) {
          throw new IllegalStateException("this Kafka was started without an edge listener");
        }
        return edge;
      }

      @Override
      public int size() {
        return cluster.size();
      }

      @Override
      public void stopNode(int index) {
        cluster.stopNode(index);
      }

      @Override
      public void startNode(int index) {
        cluster.startNode(index);
      }

      @Override
      public void close() {
        cluster.close();
      }
    };
  }

  @Override
  public ScenarioPostgres postgres() throws Exception {
    Assumptions.assumeTrue(
        LocalPostgres.binaries().isPresent(),
        "SKIPPED: no Docker, no PostgreSQL binaries on this machine, and the artifact's are for"
            + " Linux x86-64");
    LocalPostgres pg = LocalPostgres.start();
    return new ScenarioPostgres("127.0.0.1", pg.port(), pg::close);
  }

  @Override
  public String mqttUrl() {
    Assumptions.assumeTrue(
        LocalServices.mosquitto(), "SKIPPED: no Docker and no Mosquitto on 127.0.0.1:1883");
    return LocalServices.MOSQUITTO_URL;
  }
}
