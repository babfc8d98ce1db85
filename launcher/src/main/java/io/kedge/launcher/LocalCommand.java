package io.kedge.launcher;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.cloud.Cloud;
import io.kedge.cloud.CloudConfig;
import io.kedge.cloud.admission.WebhookConfig;
import io.kedge.cloud.manifest.Manifest;
import io.kedge.cloud.manifest.ManifestPublisher;
import io.kedge.cloud.router.RouterTopology;
import io.kedge.cloud.rules.RulesConfig;
import io.kedge.edge.relay.EdgeConfig;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.edge.relay.link.LinkState;
import io.kedge.kafka.local.LocalKafkaCluster;
import io.kedge.runtime.config.ConfigSources;
import io.kedge.runtime.lifecycle.Components;
import io.kedge.runtime.ops.OpsServer;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.ObjectKey;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
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
                    .flag(LocalConfig.KAFKA_PORT.name(), kafkaPort, "--kafka-port")
                    .flag(LocalConfig.API_PORT.name(), apiPort, "--api-port")
                    .flag(LocalConfig.MQTT_PORT.name(), mqttPort, "--mqtt-port")
                    .flag(LocalConfig.INGRESS_PORT.name(), ingressPort, "--ingress-port")
                    .flag(LocalConfig.OPS_PORT.name(), opsPort, "--ops-port")));
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
      throws InterruptedException {
    progress(
        out,
        "starting Kafka on 127.0.0.1:"
            + config.kafkaPort()
            + " (data in "
            + config.dataDir()
            + ")");
    LocalKafkaCluster kafka =
        components.add(
            LocalKafkaCluster.builder()
                .brokerPort(config.kafkaPort())
                .dataDir(config.dataDir().resolve("kafka"))
                .build()
                .start(Duration.ofSeconds(60)));
    String bootstrap = kafka.bootstrapServers();
    KedgeTopics topics = config.topics();

    progress(out, "starting the cloud router (standalone: manifests are the store)");
    CloudConfig cloud =
        new CloudConfig(
            bootstrap,
            config.dataDir().resolve("cloud"),
            config.topicPrefix(),
            config.nodeRetention(),
            1,
            RouterTopology.DEFAULT_BROADCAST_KINDS,
            false,
            config.topicPrefix() + "-router");
    PrometheusMeterRegistry metrics = OpsServer.registry();
    Cloud router =
        components.add(
            Cloud.start(
                cloud,
                WebhookConfig.disabled(),
                RulesConfig.defaults("127.0.0.1", config.ingressPort()),
                metrics));
    registerNodes(bootstrap, topics, config.nodes());

    List<EdgeNode> edges = new ArrayList<>();
    for (int i = 0; i < config.nodes().size(); i++) {
      String node = config.nodes().get(i);
      progress(out, "starting edge node " + node);
      EdgeConfig edge =
          EdgeConfig.from(
              EdgeConfig.DEF.parse(
                  ConfigSources.withEnvironment(Map.of())
                      .flag(EdgeConfig.NODE.name(), node, "--nodes")
                      .flag(EdgeConfig.KAFKA.name(), bootstrap, "kedge local")
                      .flag(
                          EdgeConfig.DATA_DIR.name(),
                          config.dataDir().resolve("nodes").resolve(node),
                          "--data-dir")
                      .flag(EdgeConfig.API_PORT.name(), config.apiPort(i), "--api-port")
                      .flag(EdgeConfig.MQTT_PORT.name(), config.mqttPort(i), "--mqtt-port")
                      .flag(
                          EdgeConfig.TOPIC_PREFIX.name(), config.topicPrefix(), "topics.prefix")));
      EdgeNode started = components.add(EdgeNode.start(edge, VersionCommand.version()));
      started.bindMetrics(metrics);
      edges.add(started);
    }
    OpsServer ops =
        components.add(
            OpsServer.start(
                "127.0.0.1",
                config.opsPort(),
                metrics,
                () -> {
                  String reason = router.unreadyReason();
                  for (EdgeNode edge : edges) {
                    reason = reason != null ? reason : edge.unreadyReason();
                  }
                  return reason;
                }));
    for (EdgeNode edge : edges) {
      awaitConnected(edge, Duration.ofSeconds(60));
    }
    out.println("  kafka      " + bootstrap);
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
            + router.rules().ingressPort()
            + "/{node}/{namespace}/{path}  (REST ingress)");
    out.println("  metrics    http://127.0.0.1:" + ops.port() + "/metrics  (/healthz, /readyz)");
    out.println(
        "  try        ./kedge apply -f examples/pod.yaml && kubectl -s http://127.0.0.1:"
            + edges.get(0).apiPort()
            + " get pods -w");
    out.flush();
  }

  /** Writes a Node object for each local node, so the router creates its topic and routes to it. */
  private static void registerNodes(String bootstrap, KedgeTopics topics, List<String> nodes) {
    List<Manifest> manifests = new ArrayList<>();
    for (String node : nodes) {
      ObjectNode object = EventCodec.json().createObjectNode();
      object.put("apiVersion", "v1").put("kind", "Node");
      object
          .putObject("metadata")
          .put("name", node)
          .putObject("labels")
          .put("node-role.kubernetes.io/edge", "");
      manifests.add(new Manifest(Path.of("kedge-local"), 1, ObjectKey.of(object), object));
    }
    try (ManifestPublisher publisher =
        new ManifestPublisher(bootstrap, topics, Duration.ofSeconds(30))) {
      publisher.apply(manifests, m -> {});
    }
  }

  private static void awaitConnected(EdgeNode edge, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (edge.linkState() != LinkState.CONNECTED || !edge.ready()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "edge node did not connect within "
                + timeout.toSeconds()
                + " s (link "
                + edge.linkState()
                + ")");
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  private static void progress(PrintWriter out, String message) {
    out.println("kedge local: " + message);
    out.flush();
  }
}
