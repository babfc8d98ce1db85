package io.kedge.launcher;

import io.kedge.edge.relay.EdgeConfig;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.runtime.config.ConfigSources;
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

  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
  Path configFile;

  @Override
  public Integer call() throws InterruptedException {
    EdgeConfig config =
        EdgeConfig.from(
            EdgeConfig.DEF.parse(
                ConfigSources.withEnvironment(System.getenv())
                    .file(configFile)
                    .flag(EdgeConfig.NODE.name(), node, "--node")
                    .flag(EdgeConfig.KAFKA.name(), kafka, "--kafka")
                    .flag(EdgeConfig.DATA_DIR.name(), dataDir, "--data-dir")
                    .flag(EdgeConfig.API_PORT.name(), apiPort, "--api-port")
                    .flag(EdgeConfig.MQTT_PORT.name(), mqttPort, "--mqtt-port")));
    PrintWriter out = spec.commandLine().getOut();
    EdgeNode edge = EdgeNode.start(config, VersionCommand.version());
    StopSignal stop = StopSignal.install(edge, out, "kedge edge stopped");
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
}
