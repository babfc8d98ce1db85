package io.kedge.launcher;

import io.kedge.edge.relay.EdgeConfig;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.runtime.config.Config;
import io.kedge.runtime.config.ConfigSources;
import io.kedge.runtime.lifecycle.Components;
import io.kedge.runtime.ops.OpsConfig;
import io.kedge.runtime.ops.OpsServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kedge edge}: one edge node, relay and edge API in one process. Runs until SIGTERM. */
@Command(
    name = "edge",
    mixinStandardHelpOptions = true,
    description =
        "Run an edge node: Kafka relay into the durable log, and the edge Kubernetes API.")
public final class EdgeCommand implements Callable<Integer> {
  /** Printed once the node serves; scripts and tests wait for it. */
  public static final String READY_LINE = "kedge edge ready";

  /** Printed once the node has stopped (its last snapshot taken, its logs closed). */
  public static final String STOPPED_LINE = "kedge edge stopped";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--node", paramLabel = "NAME", description = "Node name (edge.node).")
  String node;

  @Option(
      names = "--kafka",
      paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers (kafka.bootstrap).")
  String kafka;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (edge.data-dir).")
  Path dataDir;

  @Option(
      names = "--api-port",
      paramLabel = "PORT",
      description = "Edge API port (edge.api-port, default 10550).")
  Integer apiPort;

  @Option(
      names = "--mqtt-port",
      paramLabel = "PORT",
      description = "Eventbus MQTT port (edge.mqtt-port, default 1884).")
  Integer mqttPort;

  @Option(
      names = "--ops-port",
      paramLabel = "PORT",
      description = "Port of /metrics, /healthz, /readyz (ops.port, default 9101).")
  Integer opsPort;

  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
  Path configFile;

  @Option(
      names = "--join",
      paramLabel = "FILE",
      description =
          "Join file from 'kedge node add': the node's name, Kafka servers and credentials, topic"
              + " prefix and upstream key (its secrets are kept in DATA_DIR/join).")
  Path join;

  @Override
  public Integer call() throws InterruptedException {
    ConfigSources sources =
        ConfigSources.withEnvironment(System.getenv())
            .file(configFile)
            .flag(EdgeConfig.NODE.name(), node, "--node")
            .flag(EdgeConfig.KAFKA.name(), kafka, "--kafka")
            .flag(EdgeConfig.DATA_DIR.name(), dataDir, "--data-dir")
            .flag(EdgeConfig.API_PORT.name(), apiPort, "--api-port")
            .flag(EdgeConfig.MQTT_PORT.name(), mqttPort, "--mqtt-port")
            .flag(EdgeConfig.OPS_PORT.name(), opsPort, "--ops-port");
    if (join != null) {
      sources = joined(sources);
    }
    Config parsed = EdgeConfig.DEF.parse(sources);
    EdgeConfig config = EdgeConfig.from(parsed);
    OpsConfig opsConfig = OpsConfig.from(parsed, EdgeConfig.OPS_BIND, EdgeConfig.OPS_PORT);
    PrintWriter out = spec.commandLine().getOut();
    PrometheusMeterRegistry metrics = OpsServer.registry();
    Components running = new Components();
    EdgeNode edge = running.add(EdgeNode.start(config, VersionCommand.version()));
    OpsEndpoint.start(running, opsConfig, metrics, edge::bindMetrics, edge::unreadyReason, out);
    StopSignal stop = StopSignal.install(running, out, STOPPED_LINE);
    out.println(
        "  edge API   http://"
            + config.apiBind()
            + ":"
            + edge.apiPort()
            + "  (node "
            + config.node()
            + ")");
    stop.readyAndAwait(out, READY_LINE);
    return 0;
  }

  /**
   * The sources with what the join file says: its node (a different --node is an error), Kafka
   * servers and topic prefix, and its secrets stored under the data directory.
   */
  private ConfigSources joined(ConfigSources sources) {
    JoinFile file = JoinFile.read(join);
    if (node != null && !node.equals(file.node())) {
      throw new io.kedge.runtime.config.InvalidConfigException(
          java.util.List.of(
              new io.kedge.runtime.config.ConfigProblem(
                  "--node",
                  node,
                  "--node",
                  "must be the join file's node '" + file.node() + "' or left out")));
    }
    ConfigSources withNode =
        sources
            .flag(EdgeConfig.NODE.name(), file.node(), "--join")
            .flag(EdgeConfig.KAFKA.name(), kafka != null ? kafka : file.bootstrap(), "--join")
            .flag(EdgeConfig.TOPIC_PREFIX.name(), file.topicPrefix(), "--join");
    Path data = Path.of(EdgeConfig.DEF.parse(withNode).get(EdgeConfig.DATA_DIR));
    JoinFile.Secrets secrets = file.store(data.resolve("join"));
    return secrets.applyTo(withNode, "--join");
  }
}
