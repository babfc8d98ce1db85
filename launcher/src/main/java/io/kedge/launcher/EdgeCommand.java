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

  @Override
  public Integer call() throws InterruptedException {
    Config parsed =
        EdgeConfig.DEF.parse(
            ConfigSources.withEnvironment(System.getenv())
                .file(configFile)
                .flag(EdgeConfig.NODE.name(), node, "--node")
                .flag(EdgeConfig.KAFKA.name(), kafka, "--kafka")
                .flag(EdgeConfig.DATA_DIR.name(), dataDir, "--data-dir")
                .flag(EdgeConfig.API_PORT.name(), apiPort, "--api-port")
                .flag(EdgeConfig.MQTT_PORT.name(), mqttPort, "--mqtt-port")
                .flag(EdgeConfig.OPS_PORT.name(), opsPort, "--ops-port"));
    EdgeConfig config = EdgeConfig.from(parsed);
    OpsConfig opsConfig = OpsConfig.from(parsed, EdgeConfig.OPS_BIND, EdgeConfig.OPS_PORT);
    PrintWriter out = spec.commandLine().getOut();
    PrometheusMeterRegistry metrics = OpsServer.registry();
    Components running = new Components();
    EdgeNode edge = running.add(EdgeNode.start(config, VersionCommand.version()));
    OpsEndpoint.start(running, opsConfig, metrics, edge::bindMetrics, edge::unreadyReason, out);
    StopSignal stop = StopSignal.install(running, out, "kedge edge stopped");
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
