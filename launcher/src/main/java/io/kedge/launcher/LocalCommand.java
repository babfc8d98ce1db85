package io.kedge.launcher;

import io.kedge.cloud.topics.TopicProvisioner;
import io.kedge.kafka.local.LocalKafkaCluster;
import io.kedge.runtime.config.ConfigSources;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.TopicDescriptor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kedge local}: everything on one machine on embedded defaults, for a first look and for
 * demos. Runs until Ctrl-C or SIGTERM.
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

  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
  Path configFile;

  @Override
  public Integer call() throws InterruptedException {
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
                    .flag(LocalConfig.KAFKA_PORT.name(), kafkaPort, "--kafka-port")));
    PrintWriter out = spec.commandLine().getOut();
    CountDownLatch stopped = new CountDownLatch(1);
    Components components = new Components();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  components.close();
                  out.println("kedge local stopped");
                  out.flush();
                  stopped.countDown();
                },
                "kedge-local-shutdown"));
    try {
      start(config, components, out);
    } catch (RuntimeException e) {
      components.close();
      throw e;
    }
    out.println(READY_LINE);
    out.flush();
    stopped.await();
    return 0;
  }

  private static void start(LocalConfig config, Components components, PrintWriter out) {
    out.println(
        "kedge local: starting Kafka on 127.0.0.1:"
            + config.kafkaPort()
            + " (data in "
            + config.dataDir()
            + ")");
    out.flush();
    LocalKafkaCluster kafka =
        components.add(
            LocalKafkaCluster.builder()
                .brokerPort(config.kafkaPort())
                .dataDir(config.dataDir().resolve("kafka"))
                .build()
                .start(Duration.ofSeconds(60)));
    KedgeTopics topics = config.topics();
    List<TopicDescriptor<?, ?>> all =
        new ArrayList<>(List.of(topics.resources(), topics.upstream(), topics.deadletter()));
    config.nodes().forEach(node -> all.add(topics.node(node)));
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      new TopicProvisioner(admin, Optional.empty(), Duration.ofSeconds(30)).ensure(all);
    }
    out.println("  kafka      " + kafka.bootstrapServers());
    out.println(
        "  topics     "
            + topics.resources().name()
            + ", "
            + topics.upstream().name()
            + ", "
            + topics.deadletter().name());
    for (String node : config.nodes()) {
      out.println("  node       " + node + " -> " + topics.node(node).name());
    }
    out.flush();
  }
}
