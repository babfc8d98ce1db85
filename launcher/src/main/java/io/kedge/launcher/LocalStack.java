package io.kedge.launcher;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.cloud.Cloud;
import io.kedge.cloud.CloudConfig;
import io.kedge.cloud.admission.WebhookConfig;
import io.kedge.cloud.manifest.Manifest;
import io.kedge.cloud.manifest.ManifestPublisher;
import io.kedge.cloud.rules.RulesConfig;
import io.kedge.edge.relay.EdgeConfig;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.edge.relay.HostNode;
import io.kedge.edge.relay.link.LinkState;
import io.kedge.kafka.local.LocalKafkaCluster;
import io.kedge.kube.authorization.NodeWriteRules;
import io.kedge.runtime.config.ConfigSources;
import io.kedge.runtime.lifecycle.Components;
import io.kedge.runtime.ops.OpsServer;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.ObjectKey;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The all-in-one, wired: an in-process Kafka broker, the cloud part in standalone mode (router,
 * applier, rules with the REST ingress) and one edge node per configured name, all connected.
 * {@code kedge local} runs it; benchmarks start their own.
 */
public final class LocalStack implements AutoCloseable {
  private final Components parts = new Components();
  private final List<EdgeNode> edges = new ArrayList<>();
  private LocalKafkaCluster kafka;
  private KedgeTopics topics;
  private Cloud cloud;
  private final PrometheusMeterRegistry metrics = OpsServer.registry();
  private LocalSecurity security;
  private int saslPort;

  private LocalStack() {}

  /** A stack of its own for a benchmark: {@code nodes} on free ports, data in {@code dir}. */
  public static LocalStack forBenchmark(List<String> nodes, Path dir, Consumer<String> progress)
      throws InterruptedException {
    return start(
        new LocalConfig(nodes, dir, 0, 0, 0, 0, "kedge", Duration.ofDays(1), 0, false, 0, false),
        progress);
  }

  /** Starts everything, saying what it does through {@code progress}; on failure, stops it. */
  public static LocalStack start(LocalConfig config, Consumer<String> progress)
      throws InterruptedException {
    LocalStack stack = new LocalStack();
    try {
      stack.startParts(config, progress);
      return stack;
    } catch (RuntimeException | InterruptedException e) {
      stack.close();
      throw e;
    }
  }

  private void startParts(LocalConfig config, Consumer<String> progress)
      throws InterruptedException {
    security = config.secure() ? LocalSecurity.in(config.dataDir().resolve("secure")) : null;
    progress.accept(
        "starting Kafka on 127.0.0.1:"
            + config.kafkaPort()
            + (security == null ? "" : " (SASL, ACLs)")
            + " (data in "
            + config.dataDir()
            + ")");
    LocalKafkaCluster.Builder cluster =
        LocalKafkaCluster.builder().dataDir(config.dataDir().resolve("kafka"));
    if (security == null) {
      cluster.brokerPort(config.kafkaPort());
    } else {
      // clients reach Kafka on the SASL listener; the brokers' own listener is another port
      saslPort =
          config.kafkaPort() == 0
              ? io.kedge.runtime.net.FreePorts.on("127.0.0.1")
              : config.kafkaPort();
      security.cluster(cluster, saslPort);
    }
    kafka = parts.add(cluster.build().start(Duration.ofSeconds(60)));
    topics = config.topics();

    progress.accept(
        "starting the cloud router (standalone: manifests are the store)"
            + (security == null ? "" : "; node signatures and node authorization on"));
    CloudConfig cloudConfig =
        CloudConfig.embedded(
            bootstrap(),
            config.dataDir().resolve("cloud"),
            config.topicPrefix(),
            config.nodeRetention());
    if (security != null) {
      cloudConfig =
          cloudConfig
              .withKafkaClient(security.cloudClient())
              .withNodeKeySecret(security.nodeKeySecret())
              .withNodeWrites(NodeWriteRules.NONE);
    }
    cloud =
        parts.add(
            Cloud.start(
                cloudConfig,
                WebhookConfig.disabled(),
                RulesConfig.defaults("127.0.0.1", config.ingressPort()),
                metrics));
    registerNodes(config.nodes());

    for (int i = 0; i < config.nodes().size(); i++) {
      String node = config.nodes().get(i);
      progress.accept(
          "starting edge node " + node + (security == null ? "" : " (its own Kafka user and key)"));
      ConfigSources sources =
          ConfigSources.withEnvironment(Map.of())
              .flag(EdgeConfig.NODE.name(), node, "--nodes")
              .flag(EdgeConfig.KAFKA.name(), bootstrap(), "kedge local")
              .flag(
                  EdgeConfig.DATA_DIR.name(),
                  config.dataDir().resolve("nodes").resolve(node),
                  "--data-dir")
              .flag(EdgeConfig.API_PORT.name(), config.apiPort(i), "--api-port")
              .flag(EdgeConfig.MQTT_PORT.name(), config.mqttPort(i), "--mqtt-port")
              .flag(EdgeConfig.TOPIC_PREFIX.name(), config.topicPrefix(), "topics.prefix")
              // kedge local declares its nodes itself (registerNodes)
              .flag(EdgeConfig.REGISTER_NODE.name(), false, "kedge local");
      if (security == null) {
        // the playground: every client of an edge API may write anything, as the cloud allows
        sources = sources.flag(EdgeConfig.NODE_WRITES.name(), "*", "kedge local");
      } else {
        JoinFile.Secrets secrets = security.join(node, bootstrap(), topics);
        sources = secrets.applyTo(sources, "--secure");
      }
      EdgeConfig edge = EdgeConfig.from(EdgeConfig.DEF.parse(sources));
      EdgeNode started = parts.add(EdgeNode.start(edge, VersionCommand.version()));
      started.bindMetrics(metrics);
      edges.add(started);
    }
  }

  /** Waits until every edge node is connected and serving. */
  public void awaitConnected(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (EdgeNode edge : edges) {
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
  }

  /**
   * Waits until the cloud answers (its router running): an edge node that resumes its log is
   * connected before the router has finished rebalancing, which after an unclean stop takes as long
   * as Kafka's session timeout, and writes made before then are not answered in time.
   */
  public void awaitCloudReady(Duration timeout, Consumer<String> progress)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String said = null;
    for (String reason = cloud.unreadyReason(); reason != null; reason = cloud.unreadyReason()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the cloud was not ready within " + timeout.toSeconds() + " s: " + reason);
      }
      if (!reason.equals(said)) {
        progress.accept("waiting for the cloud: " + reason);
        said = reason;
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  /** Where clients reach Kafka: the SASL listener when secure. */
  public String bootstrap() {
    return security == null ? kafka.bootstrapServers() : "127.0.0.1:" + saslPort;
  }

  /** The secure mode's secrets, or null when not secure. */
  LocalSecurity security() {
    return security;
  }

  public KedgeTopics topics() {
    return topics;
  }

  public Cloud cloud() {
    return cloud;
  }

  public List<EdgeNode> edges() {
    return edges;
  }

  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  /** Null when everything is ready, else why not: what {@code /readyz} answers. */
  public String unreadyReason() {
    String reason = cloud.unreadyReason();
    for (EdgeNode edge : edges) {
      reason = reason != null ? reason : edge.unreadyReason();
    }
    return reason;
  }

  /** Applies objects as {@code kedge apply} would. */
  public void apply(List<ObjectNode> objects) {
    List<Manifest> manifests = new ArrayList<>();
    for (ObjectNode object : objects) {
      manifests.add(new Manifest(Path.of("kedge-local"), 1, ObjectKey.of(object), object));
    }
    applyManifests(manifests);
  }

  /** Applies manifests read from files. */
  public void applyManifests(List<Manifest> manifests) {
    try (ManifestPublisher publisher =
        new ManifestPublisher(
            bootstrap(),
            security == null ? Map.of() : security.cloudClient(),
            topics,
            Duration.ofSeconds(30))) {
      publisher.apply(manifests, m -> {});
    }
  }

  /**
   * A Node object for each local node, so the router creates its topic and routes to it; each is
   * described from this host, as a node registering itself describes its own.
   */
  private void registerNodes(List<String> nodes) {
    apply(nodes.stream().map(HostNode::describe).toList());
  }

  @Override
  public void close() {
    parts.close();
  }
}
