package io.kedge.launcher;

import io.kedge.cloud.CloudConfig;
import io.kedge.cloud.router.Router;
import io.kedge.runtime.config.ConfigSources;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kedge cloud}: the cloud part (router) against an existing Kafka. Runs until SIGTERM. */
@Command(
    name = "cloud",
    mixinStandardHelpOptions = true,
    description = "Run the cloud part: route resources to per-node topics and answer resyncs.")
public final class CloudCommand implements Callable<Integer> {
  public static final String READY_LINE = "kedge cloud ready";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--kafka",
      paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers (kafka.bootstrap).")
  String kafka;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "State directory (cloud.data-dir, default .kedge/cloud).")
  Path dataDir;

  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
  Path configFile;

  @Override
  public Integer call() throws InterruptedException {
    CloudConfig config =
        CloudConfig.from(
            CloudConfig.DEF.parse(
                ConfigSources.withEnvironment(System.getenv())
                    .file(configFile)
                    .flag(CloudConfig.KAFKA.name(), kafka, "--kafka")
                    .flag(CloudConfig.DATA_DIR.name(), dataDir, "--data-dir")));
    Router router = Router.start(config);
    PrintWriter out = spec.commandLine().getOut();
    StopSignal stop = StopSignal.install(router, out, "kedge cloud stopped");
    stop.readyAndAwait(out, READY_LINE);
    return 0;
  }
}
