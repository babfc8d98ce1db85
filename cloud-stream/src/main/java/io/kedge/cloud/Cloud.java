package io.kedge.cloud;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kedge.cloud.admission.RuleReview;
import io.kedge.cloud.admission.WebhookConfig;
import io.kedge.cloud.admission.WebhookServer;
import io.kedge.cloud.devices.DeviceProfilePublisher;
import io.kedge.cloud.fleet.FleetMetrics;
import io.kedge.cloud.fleet.FleetState;
import io.kedge.cloud.fleet.NodeConditions;
import io.kedge.cloud.kube.KubeKind;
import io.kedge.cloud.kube.KubeKinds;
import io.kedge.cloud.kube.KubeWrites;
import io.kedge.cloud.kube.KubernetesConfig;
import io.kedge.cloud.kube.KubernetesSource;
import io.kedge.cloud.nodes.NodeKeyGenerations;
import io.kedge.cloud.router.NodeTrust;
import io.kedge.cloud.router.Router;
import io.kedge.cloud.router.UpstreamRejections;
import io.kedge.cloud.rules.Rules;
import io.kedge.cloud.rules.RulesConfig;
import io.kedge.runtime.lifecycle.Components;
import io.kedge.schemas.authorization.NodeSignatures;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The running cloud part: the ROUTER (with the standalone uplink applier) and the offline-autonomy
 * webhook, their metrics bound to one registry.
 */
public final class Cloud implements AutoCloseable {
  private final Components parts = new Components();
  private Router router;
  private WebhookServer webhook;
  private FleetState fleet;
  private Rules rules;
  private KubernetesSource kubernetes;

  private Cloud() {}

  /** This process's name among cloud instances: host and process id. */
  static String instanceName() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "unknown-host";
    }
    return host + "-" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime());
  }

  /** The Kubernetes source, or null in standalone mode. */
  public KubernetesSource kubernetesSource() {
    return kubernetes;
  }

  /** The cloud in standalone mode. */
  public static Cloud start(
      CloudConfig config,
      WebhookConfig webhookConfig,
      RulesConfig rulesConfig,
      MeterRegistry metrics)
      throws InterruptedException {
    return start(config, KubernetesConfig.standalone(), webhookConfig, rulesConfig, metrics);
  }

  public static Cloud start(
      CloudConfig config,
      KubernetesConfig kubeConfig,
      WebhookConfig webhookConfig,
      RulesConfig rulesConfig,
      MeterRegistry metrics)
      throws InterruptedException {
    // before the first meter is bound: a filter added later is not applied to earlier meters
    metrics.config().meterFilter(NodeTopicMeters.deny(config.topics()));
    Cloud cloud = new Cloud();
    try {
      KubeWrites kubeWrites = null;
      if (kubeConfig.kubernetes()) {
        KubernetesClient client = kubeConfig.client();
        cloud.parts.add(client::close);
        KubeKinds kinds = new KubeKinds(client);
        List<KubeKind> watched =
            kinds.resolveAll(KubernetesConfig.RESOURCES.name(), kubeConfig.resources());
        kubeWrites = new KubeWrites(client, kinds, kubeConfig.writeTimeout());
        cloud.kubernetes =
            cloud.parts.add(
                new KubernetesSource(
                        client,
                        kubeConfig,
                        watched,
                        config.kafkaClientConfig(),
                        config.topics().resources().name(),
                        instanceName())
                    .start());
        cloud.kubernetes.bindMetrics(metrics);
      }
      NodeSignatures.Generations keyGenerations = NodeSignatures.Generations.NONE;
      if (config.nodeKeySecret() != null) {
        // before any signature is checked: a revoked key is refused from the first record on
        keyGenerations = cloud.parts.add(NodeKeyGenerations.follow(config));
      }
      NodeTrust trust = NodeTrust.of(config.nodeKeySecret(), keyGenerations, config.nodeWrites());
      cloud.router =
          cloud.parts.add(
              Router.start(
                  config,
                  kubeWrites,
                  org.apache.kafka.streams.StreamsConfig.EXACTLY_ONCE_V2,
                  trust));
      KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(cloud.router.streams());
      streamsMetrics.bindTo(metrics);
      cloud.parts.add(streamsMetrics);
      Gauge.builder("kedge_router_running", cloud.router, r -> r.running() ? 1 : 0)
          .description("1 while the router's Kafka Streams instance is RUNNING")
          .register(metrics);
      FunctionCounter.builder(
              "kedge_router_resync_store_reads_total", cloud.router, Router::resyncStoreReads)
          .description(
              "Store records the router read to answer resyncs: a node's own objects and the"
                  + " broadcast kinds, whatever the fleet")
          .register(metrics);
      for (String reason : UpstreamRejections.REASONS) {
        FunctionCounter.builder(
                "kedge_upstream_rejected_total",
                cloud.router.rejections(),
                rejections -> rejections.total(reason))
            .description(
                "Upstream events refused: unsigned, bad-signature (not its node's key),"
                    + " node-mismatch (signed by another node), revoked-key (a key its node was"
                    + " given a new one for), forbidden (not the node's to write)")
            .tag("reason", reason)
            .register(metrics);
      }
      // the fleet: each node's heartbeats and lag
      Map<String, Object> fleetRead = new HashMap<>(config.kafkaClientConfig());
      fleetRead.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      Admin fleetAdmin = Admin.create(config.kafkaClientConfig());
      cloud.parts.add(() -> fleetAdmin.close(Duration.ofSeconds(5)));
      cloud.fleet =
          cloud.parts.add(
              new FleetState(
                      new KafkaConsumer<>(
                          fleetRead, new StringDeserializer(), new ByteArrayDeserializer()),
                      fleetAdmin,
                      config.topics(),
                      trust,
                      config.fleet(),
                      Clock.systemUTC())
                  .start());
      FleetMetrics.bind(cloud.fleet, metrics);
      if (cloud.kubernetes == null) {
        // standalone: the cloud keeps the Nodes' Ready condition from the heartbeats
        Map<String, Object> conditionsProps = new HashMap<>(config.kafkaClientConfig());
        conditionsProps.put(ProducerConfig.ACKS_CONFIG, "all");
        conditionsProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        KafkaProducer<String, byte[]> conditionsProducer =
            new KafkaProducer<>(conditionsProps, new StringSerializer(), new ByteArraySerializer());
        cloud.parts.add(() -> conditionsProducer.close(Duration.ofSeconds(5)));
        cloud.parts.add(
            NodeConditions.standalone(
                    cloud.fleet,
                    conditionsProducer,
                    config.topics().upstream().name(),
                    config.nodeKeySecret(),
                    keyGenerations,
                    Clock.systemUTC())
                .start(Duration.ofSeconds(2)));
      } else {
        // the cluster's controllers own Ready: kedge keeps KedgeLinkReady beside it
        cloud.parts.add(
            NodeConditions.kubernetes(cloud.fleet, kubeWrites, Clock.systemUTC())
                .start(Duration.ofSeconds(2)));
      }
      // the device-profile ConfigMaps KubeEdge's mappers read
      cloud.parts.add(
          DeviceProfilePublisher.start(config.kafkaClientConfig(), config.topics(), kubeWrites));
      if (webhookConfig.enabled()) {
        cloud.webhook = cloud.parts.add(webhookConfig.start(config.dataDir()));
        cloud.webhook.bindMetrics(metrics);
      }
      if (rulesConfig.enabled()) {
        cloud.rules =
            cloud.parts.add(
                Rules.start(
                    rulesConfig,
                    config.kafkaClientConfig(),
                    config.topics(),
                    config.applicationId() + "-" + Rules.newInstanceId(),
                    metrics,
                    kubeWrites,
                    trust));
      }
      if (cloud.webhook != null && cloud.rules != null) {
        Rules rules = cloud.rules;
        cloud.webhook.serve(RuleReview.PATH, new RuleReview(rules::book));
      }
      return cloud;
    } catch (RuntimeException | InterruptedException e) {
      cloud.close();
      throw e;
    }
  }

  public Router router() {
    return router;
  }

  /** Rule routing, or null when disabled. */
  public Rules rules() {
    return rules;
  }

  /** Each node's health, from its heartbeats. */
  public FleetState fleet() {
    return fleet;
  }

  /** {@code /fleet}: every node's health as JSON ({@code {"nodes":[...]}}). */
  public String fleetJson() {
    return fleet.json();
  }

  /** The webhook, or null when disabled. */
  public WebhookServer webhook() {
    return webhook;
  }

  /** Null when ready, else why not: what {@code /readyz} answers. */
  public String unreadyReason() {
    if (!router.running()) {
      return "the router is " + router.state();
    }
    if (kubernetes != null && kubernetes.leading() && !kubernetes.synced()) {
      return "the Kubernetes source's informers are syncing";
    }
    return rules == null ? null : rules.unreadyReason();
  }

  @Override
  public void close() {
    parts.close();
  }
}
