package io.kedge.launcher;

import io.kedge.mapper.opcua.MapperConfig;
import io.kedge.mapper.opcua.OpcUaMapper;
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

/** {@code kedge mapper}: device mappers speaking KubeEdge's MQTT twin contract. */
@Command(
    name = "mapper",
    mixinStandardHelpOptions = true,
    description = "Run a device mapper on an edge node.",
    subcommands = {MapperCommand.OpcUa.class})
public final class MapperCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a mapper: opcua");
  }

  /** {@code kedge mapper opcua}: OPC UA devices (Eclipse Milo). Runs until SIGTERM. */
  @Command(
      name = "opcua",
      mixinStandardHelpOptions = true,
      description =
          "Serve the node's OPC UA devices: values to twins on MQTT, desired values to the nodes.")
  public static final class OpcUa implements Callable<Integer> {
    public static final String READY_LINE = "kedge mapper opcua ready";

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--node", paramLabel = "NAME", description = "Edge node (mapper.node).")
    String node;

    @Option(
        names = "--edge-api",
        paramLabel = "URL",
        description = "Edge API to watch devices on (mapper.edge-api).")
    String edgeApi;

    @Option(
        names = "--mqtt",
        paramLabel = "URL",
        description = "The node's MQTT eventbus (mapper.mqtt).")
    String mqtt;

    @Option(
        names = "--device-profile",
        paramLabel = "FILE",
        description =
            "KubeEdge deviceProfile.json instead of the edge API (mapper.device-profile).")
    Path deviceProfile;

    @Option(
        names = "--ops-port",
        paramLabel = "PORT",
        description = "Port of /metrics, /healthz, /readyz (ops.port, default 9102).")
    Integer opsPort;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
    Path configFile;

    @Override
    public Integer call() throws InterruptedException {
      Config parsed =
          MapperConfig.DEF.parse(
              ConfigSources.withEnvironment(System.getenv())
                  .file(configFile)
                  .flag(MapperConfig.NODE.name(), node, "--node")
                  .flag(MapperConfig.EDGE_API.name(), edgeApi, "--edge-api")
                  .flag(MapperConfig.MQTT.name(), mqtt, "--mqtt")
                  .flag(MapperConfig.DEVICE_PROFILE.name(), deviceProfile, "--device-profile")
                  .flag(MapperConfig.OPS_PORT.name(), opsPort, "--ops-port"));
      MapperConfig config = MapperConfig.from(parsed);
      OpsConfig opsConfig = OpsConfig.from(parsed, MapperConfig.OPS_BIND, MapperConfig.OPS_PORT);
      PrintWriter out = spec.commandLine().getOut();
      PrometheusMeterRegistry metrics = OpsServer.registry();
      Components running = new Components();
      OpcUaMapper mapper = running.add(OpcUaMapper.start(config));
      OpsEndpoint.start(
          running, opsConfig, metrics, mapper::bindMetrics, mapper::unreadyReason, out);
      StopSignal stop = StopSignal.install(running, out, "kedge mapper opcua stopped");
      out.println("  twins on   " + config.mqttUrl() + "  (node " + config.node() + ")");
      stop.readyAndAwait(out, READY_LINE);
      return 0;
    }
  }
}
