package io.kedge.launcher;

import io.kedge.edge.relay.EdgeNode;
import io.kedge.runtime.config.ConfigSources;
import io.kedge.runtime.lifecycle.Components;
import io.kedge.runtime.ops.OpsServer;
import io.kedge.schemas.KedgeTopics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kedge local}: everything on one machine on embedded defaults, for a first look and for
 * demos: in-process Kafka, the cloud router in standalone mode (manifests are the store), and one
 * edge node per {@code --nodes} entry. Runs until Ctrl-C or SIGTERM.
 */
@Command(
    name = "local",
    mixinStandardHelpOptions = true,
    description = "Run kedge all-in-one: in-process Kafka, the cloud part and edge nodes.")
public final class LocalCommand implements Callable<Integer> {
  /** The line scripts and tests wait for. */
  public static final String READY_LINE = "kedge local ready";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--nodes",
      split = ",",
      paramLabel = "NODE",
      description = "Edge nodes (default: edge-1,edge-2).")
  List<String> nodes;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Data directory (default: .kedge/local).")
  Path dataDir;

  @Option(
      names = "--kafka-port",
      paramLabel = "PORT",
      description = "Kafka port (default: 9092; 0 = free port).")
  Integer kafkaPort;

  @Option(
      names = "--ops-port",
      paramLabel = "PORT",
      description = "Port of /metrics, /healthz, /readyz (default: 9100; 0 = free port).")
  Integer opsPort;

  @Option(
      names = "--api-port",
      paramLabel = "PORT",
      description = "Edge API port of the first node (default: 10550; 0 = free ports).")
  Integer apiPort;

  @Option(
      names = "--mqtt-port",
      paramLabel = "PORT",
      description = "Embedded MQTT port of the first node (default: 1884; 0 = free ports).")
  Integer mqttPort;

  @Option(
      names = "--ingress-port",
      paramLabel = "PORT",
      description = "Rules REST ingress port (default: 9443; 0 = free port).")
  Integer ingressPort;

  @Option(
      names = "--demo",
      description =
          "Also apply the examples, start an OPC UA demo server and the OPC UA mapper on the first"
              + " node.")
  Boolean demo;

  @Option(
      names = "--opcua-port",
      paramLabel = "PORT",
      description = "Port of the demo OPC UA server (default: 4840; 0 = free port).")
  Integer opcuaPort;

  @Option(
      names = "--secure",
      description =
          "Run as production does: SASL and ACLs on Kafka, a Kafka user, ACLs, key and join file"
              + " per node, signed upstream events and node authorization.")
  Boolean secure;

  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
  Path configFile;

  @Override
  public Integer call() throws Exception {
    LocalConfig config =
        LocalConfig.from(
            LocalConfig.DEF.parse(
                ConfigSources.withEnvironment(System.getenv())
                    .file(configFile)
                    .flag(
                        LocalConfig.NODES.name(),
                        nodes == null ? null : String.join(",", nodes),
                        "--nodes")
                    .flag(LocalConfig.DATA_DIR.name(), dataDir, "--data-dir")
                    .flag(LocalConfig.KAFKA_PORT.name(), kafkaPort, "--kafka-port")
                    .flag(LocalConfig.API_PORT.name(), apiPort, "--api-port")
                    .flag(LocalConfig.MQTT_PORT.name(), mqttPort, "--mqtt-port")
                    .flag(LocalConfig.INGRESS_PORT.name(), ingressPort, "--ingress-port")
                    .flag(LocalConfig.OPS_PORT.name(), opsPort, "--ops-port")
                    .flag(LocalConfig.DEMO.name(), demo, "--demo")
                    .flag(LocalConfig.OPCUA_PORT.name(), opcuaPort, "--opcua-port")
                    .flag(LocalConfig.SECURE.name(), secure, "--secure")));
    PrintWriter out = spec.commandLine().getOut();
    Components components = new Components();
    StopSignal stop = StopSignal.install(components, out, "kedge local stopped");
    try {
      start(config, components, out);
    } catch (RuntimeException e) {
      components.close();
      throw e;
    }
    stop.readyAndAwait(out, READY_LINE);
    return 0;
  }

  private static void start(LocalConfig config, Components components, PrintWriter out)
      throws Exception {
    LocalStack stack = components.add(LocalStack.start(config, message -> progress(out, message)));
    OpsServer ops =
        components.add(
            OpsServer.start("127.0.0.1", config.opsPort(), stack.metrics(), stack::unreadyReason));
    ops.serveJson(NodesCommand.PATH, stack.cloud()::fleetJson);
    stack.awaitConnected(Duration.ofSeconds(60));
    stack.awaitCloudReady(Duration.ofMinutes(2), message -> progress(out, message));
    KedgeTopics topics = stack.topics();
    List<EdgeNode> edges = stack.edges();
    out.println("  kafka      " + stack.bootstrap());
    out.println(
        "  topics     "
            + topics.resources().name()
            + ", "
            + topics.upstream().name()
            + ", "
            + topics.deadletter().name());
    for (int i = 0; i < edges.size(); i++) {
      String node = config.nodes().get(i);
      out.println(
          "  node       "
              + node
              + "  edge API http://127.0.0.1:"
              + edges.get(i).apiPort()
              + "  eventbus "
              + edges.get(i).mqttUrl()
              + "  topic "
              + topics.node(node).name());
    }
    out.println(
        "  rules      http://127.0.0.1:"
            + stack.cloud().rules().ingressPort()
            + "/{node}/{namespace}/{path}  (REST ingress)");
    out.println("  metrics    http://127.0.0.1:" + ops.port() + "/metrics  (/healthz, /readyz)");
    LocalSecurity security = stack.security();
    if (security != null) {
      out.println(
          "  security   Kafka SASL + ACLs; cloud login "
              + security.cloudProperties()
              + "; node key secret "
              + security.nodeKeySecretFile());
      for (String node : config.nodes()) {
        out.println(
            "  join       "
                + node
                + "  "
                + security.joinFile(node)
                + "  (its Kafka user, ACLs and key; nodes write only their own objects)");
      }
      out.println(
          "  try        ./kedge apply -f examples/pod.yaml --kafka-client-properties "
              + security.cloudProperties());
    }
    if (config.demo()) {
      LocalDemo demo =
          components.add(LocalDemo.start(stack, config, message -> progress(out, message)));
      out.println(
          "  opcua      "
              + demo.server().url()
              + "  (demo server; OPC UA mapper on "
              + config.nodes().get(0)
              + ", Device default/press-1)");
      out.println(
          "  try        kubectl -s http://127.0.0.1:"
              + edges.get(0).apiPort()
              + " get pods,devices -w   (examples applied from "
              + config.dataDir().resolve("demo")
              + ")");
    } else if (security == null) {
      out.println(
          "  try        ./kedge apply -f examples/pod.yaml && kubectl -s http://127.0.0.1:"
              + edges.get(0).apiPort()
              + " get pods -w");
    }
    out.flush();
  }

  private static void progress(PrintWriter out, String message) {
    out.println("kedge local: " + message);
    out.flush();
  }
}
