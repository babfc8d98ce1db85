package io.kedge.it.env;

import io.kedge.kafka.local.LocalKafkaCluster;
import io.kedge.runtime.net.FreePorts;
import io.kedge.testkit.LocalServices;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.Uuid;
import org.awaitility.Awaitility;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.lifecycle.Startables;

/**
 * A KRaft cluster of {@link Images#KAFKA} containers, each node a combined broker and controller,
 * configured like {@link LocalKafkaCluster} (its {@link LocalKafkaCluster#clusterDefaults}). Host
 * ports are fixed before the start, because Kafka advertises them and a stopped node must come back
 * on the same ones. Nodes talk to each other on their own network; the edge listener of node 1
 * advertises {@code 127.0.0.1:<edgeAdvertisedPort>}, where the scenario's link proxy listens.
 */
final class KafkaContainers implements ScenarioKafka {
  private static final int CLIENT = 9092;
  private static final int CONTROLLER = 9093;
  private static final int BROKER = 9094;
  private static final int EDGE = 9095;
  private static final String CONFIG = "/tmp/kedge-server.properties";

  private final Network network = Network.newNetwork();
  private final List<GenericContainer<?>> nodes = new ArrayList<>();
  private final List<Integer> clientPorts = new ArrayList<>();
  private final String host = DockerClientFactory.instance().dockerHostIpAddress();
  private final int edgePort;

  KafkaContainers(KafkaSpec spec, Duration timeout) {
    edgePort = spec.edgeAdvertisedPort() > 0 ? FreePorts.on("127.0.0.1") : -1;
    String clusterId = Uuid.randomUuid().toString();
    String voters =
        IntStream.rangeClosed(1, spec.nodes())
            .mapToObj(id -> id + "@" + alias(id) + ":" + CONTROLLER)
            .collect(Collectors.joining(","));
    for (int id = 1; id <= spec.nodes(); id++) {
      int clientPort = FreePorts.on("127.0.0.1");
      clientPorts.add(clientPort);
      Map<String, String> props = new TreeMap<>(LocalKafkaCluster.clusterDefaults(spec.nodes()));
      props.put("process.roles", "broker,controller");
      props.put("node.id", Integer.toString(id));
      props.put("controller.quorum.voters", voters);
      props.put("controller.listener.names", "CONTROLLER");
      props.put("inter.broker.listener.name", "BROKER");
      props.put("log.dirs", "/tmp/kraft-logs");
      String listeners =
          "PLAINTEXT://0.0.0.0:"
              + CLIENT
              + ",CONTROLLER://0.0.0.0:"
              + CONTROLLER
              + ",BROKER://0.0.0.0:"
              + BROKER;
      String advertised =
          "PLAINTEXT://" + host + ":" + clientPort + ",BROKER://" + alias(id) + ":" + BROKER;
      String protocols = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,BROKER:PLAINTEXT";
      List<String> bindings = new ArrayList<>(List.of(clientPort + ":" + CLIENT));
      if (id == 1 && edgePort > 0) {
        listeners += ",EDGE://0.0.0.0:" + EDGE;
        advertised += ",EDGE://127.0.0.1:" + spec.edgeAdvertisedPort();
        protocols += ",EDGE:PLAINTEXT";
        bindings.add(edgePort + ":" + EDGE);
      }
      props.put("listeners", listeners);
      props.put("advertised.listeners", advertised);
      props.put("listener.security.protocol.map", protocols);
      GenericContainer<?> node =
          new GenericContainer<>(Images.KAFKA)
              .withNetwork(network)
              .withNetworkAliases(alias(id))
              .withCopyToContainer(Transferable.of(properties(props)), CONFIG)
              // format once (a restarted node keeps its data), then run the broker in the
              // foreground: only the distribution's own scripts, no image-specific variables
              .withCommand(
                  "sh",
                  "-c",
                  "/opt/kafka/bin/kafka-storage.sh format --ignore-formatted -t "
                      + clusterId
                      + " -c "
                      + CONFIG
                      + " && exec /opt/kafka/bin/kafka-server-start.sh "
                      + CONFIG)
              .waitingFor(Wait.forLogMessage(".*Kafka Server started.*", 1))
              .withStartupTimeout(timeout);
      node.setPortBindings(bindings);
      nodes.add(node);
    }
    try {
      // all at once: a node's broker waits for a controller quorum of the others
      Startables.deepStart(nodes).get(timeout.toMillis() + 30_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      close();
      throw new IllegalStateException(
          "Kafka containers (" + Images.KAFKA + ") did not start: " + e, e);
    }
  }

  private static String alias(int id) {
    return "kafka-" + id;
  }

  private static String properties(Map<String, String> props) {
    return props.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining("\n", "", "\n"));
  }

  @Override
  public String bootstrapServers() {
    return clientPorts.stream().map(p -> host + ":" + p).collect(Collectors.joining(","));
  }

  @Override
  public String edgeListener() {
    if (edgePort < 0) {
      throw new IllegalStateException("this Kafka was started without an edge listener");
    }
    return host + ":" + edgePort;
  }

  @Override
  public int size() {
    return nodes.size();
  }

  @Override
  public void stopNode(int index) {
    DockerClientFactory.lazyClient().killContainerCmd(nodes.get(index).getContainerId()).exec();
  }

  @Override
  public void startNode(int index) {
    DockerClientFactory.lazyClient().startContainerCmd(nodes.get(index).getContainerId()).exec();
    int port = clientPorts.get(index);
    Awaitility.await("Kafka node " + (index + 1) + " listening again on " + host + ":" + port)
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> LocalServices.reachable(host, port));
  }

  @Override
  public void close() {
    for (GenericContainer<?> node : nodes) {
      node.stop();
    }
    network.close();
  }
}
