package io.kedge.cloud;

import io.kedge.cloud.admission.WebhookConfig;
import io.kedge.cloud.fleet.FleetSettings;
import io.kedge.cloud.router.RouterTopology;
import io.kedge.cloud.rules.RulesConfig;
import io.kedge.kube.authorization.NodeWriteRules;
import io.kedge.runtime.config.CommonKeys;
import io.kedge.runtime.config.Config;
import io.kedge.runtime.config.ConfigKey;
import io.kedge.runtime.config.ConfigSpec;
import io.kedge.runtime.config.SecretFiles;
import io.kedge.runtime.ops.OpsConfig;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.authorization.NodeSignatures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** Configuration of the cloud deployable ({@code kedge cloud}). */
public record CloudConfig(
    String kafkaBootstrap,
    Path dataDir,
    String topicPrefix,
    Duration nodeRetention,
    int upstreamPartitions,
    int resourcePartitions,
    Set<String> broadcastKinds,
    boolean deleteNodeTopics,
    String applicationId,
    java.util.Map<String, Object> kafkaClient,
    NodeWriteRules nodeWrites,
    byte[] nodeKeySecret,
    FleetSettings fleet) {

  public static final ConfigKey<String> KAFKA = CommonKeys.KAFKA_BOOTSTRAP;
  public static final ConfigKey<String> KAFKA_CLIENT =
      io.kedge.runtime.config.KafkaClientProperties.KEY;
  public static final ConfigKey<String> DATA_DIR =
      ConfigKey.string(
          "cloud.data-dir", ".kedge/cloud", "Directory of the router's local state stores.");
  public static final ConfigKey<String> TOPIC_PREFIX = CommonKeys.TOPIC_PREFIX;
  public static final ConfigKey<Duration> NODE_RETENTION =
      ConfigKey.duration(
          "topics.node-retention",
          Duration.ofDays(7),
          Duration.ofMinutes(1),
          "Time retention of node topics.");
  public static final ConfigKey<Integer> UPSTREAM_PARTITIONS =
      ConfigKey.integer(
          "topics.upstream-partitions",
          6,
          1,
          1000,
          "Partitions of the upstream topic when kedge creates it.");
  public static final ConfigKey<Integer> RESOURCE_PARTITIONS =
      ConfigKey.integer(
          "topics.resource-partitions",
          6,
          1,
          10000,
          "Partitions of the resources topic when kedge creates it: the most router instances"
              + " that route at once (an existing topic keeps its count; docs/scale.md).");
  public static final ConfigKey<List<String>> BROADCAST_KINDS =
      ConfigKey.list(
          "router.broadcast-kinds",
          RouterTopology.DEFAULT_BROADCAST_KINDS.stream().sorted().toList(),
          "Kinds every edge node receives, as group/Kind (core group empty: /Service).");
  public static final ConfigKey<Boolean> DELETE_NODE_TOPICS =
      ConfigKey.bool(
          "router.delete-node-topics",
          false,
          "Delete a node's topic when its Node object is deleted.");
  public static final ConfigKey<String> APPLICATION_ID =
      ConfigKey.string(
          "router.application-id",
          "",
          "Kafka Streams application id (default: <topics.prefix>-router).");

  public static final ConfigKey<List<String>> NODE_WRITES =
      ConfigKey.list(
              "router.node-writes",
              List.of(),
              "Writes the cloud applies for an edge node beyond the node's own objects (its Node,"
                  + " Lease, CSINode, mirror pods, the status of its pods, their claims and"
                  + " devices, Events, its pods' tokens), each apiVersion/Kind,"
                  + " apiVersion/Kind@namespace or * (everything).")
          .withRule(
              SecretFiles.parses(NodeWriteRules::parse),
              "each must be apiVersion/Kind, apiVersion/Kind@namespace or *");
  public static final ConfigKey<String> NODE_KEY_SECRET_FILE =
      ConfigKey.string(
          "router.node-key-secret-file",
          "",
          "File holding the secret (base64, at least 32 bytes) every node's upstream key derives"
              + " from: the cloud then accepts from the upstream topic only what a node signed,"
              + " and only about itself. Empty: upstream events are not authenticated.");

  public static final ConfigKey<String> OPS_BIND = OpsConfig.bindKey("0.0.0.0");
  public static final ConfigKey<Integer> OPS_PORT = OpsConfig.portKey(9100);

  public static final ConfigSpec DEF =
      new ConfigSpec("cloud")
          .define(KAFKA)
          .define(KAFKA_CLIENT)
          .define(DATA_DIR)
          .define(TOPIC_PREFIX)
          .define(NODE_RETENTION)
          .define(UPSTREAM_PARTITIONS)
          .define(RESOURCE_PARTITIONS)
          .define(BROADCAST_KINDS)
          .define(DELETE_NODE_TOPICS)
          .define(APPLICATION_ID)
          .define(NODE_WRITES)
          .define(NODE_KEY_SECRET_FILE)
          .define(io.kedge.cloud.kube.KubernetesConfig.MODE)
          .define(io.kedge.cloud.kube.KubernetesConfig.KUBECONFIG)
          .define(io.kedge.cloud.kube.KubernetesConfig.RESOURCES)
          .define(io.kedge.cloud.kube.KubernetesConfig.LEASE_NAMESPACE)
          .define(io.kedge.cloud.kube.KubernetesConfig.LEASE_DURATION)
          .define(io.kedge.cloud.kube.KubernetesConfig.WRITE_TIMEOUT)
          .define(io.kedge.cloud.manifest.ManifestDirectory.DIR)
          .define(io.kedge.cloud.manifest.ManifestDirectory.POLL_INTERVAL)
          .define(OPS_BIND)
          .define(OPS_PORT)
          .define(FleetSettings.OFFLINE_AFTER)
          .define(FleetSettings.NODE_METRICS)
          .define(FleetSettings.LOOKBACK)
          .define(WebhookConfig.ENABLED)
          .define(WebhookConfig.BIND)
          .define(WebhookConfig.PORT)
          .define(WebhookConfig.TLS_CERT)
          .define(WebhookConfig.TLS_KEY)
          .define(WebhookConfig.HOSTS)
          .define(WebhookConfig.NOT_READY)
          .define(RulesConfig.ENABLED)
          .define(RulesConfig.INGRESS_BIND)
          .define(RulesConfig.INGRESS_PORT)
          .define(RulesConfig.MAX_BODY)
          .define(RulesConfig.DELIVERY_ATTEMPTS)
          .define(RulesConfig.DELIVERY_BACKOFF)
          .define(RulesConfig.DELIVERY_TIMEOUT)
          .define(RulesConfig.DELIVERY_CONCURRENCY)
          .define(RulesConfig.SERVICEBUS_TIMEOUT)
          .define(RulesConfig.INGRESS_MAX_CONNECTIONS)
          .define(RulesConfig.INGRESS_MAX_IN_FLIGHT)
          .define(RulesConfig.INGRESS_IDLE_TIMEOUT)
          .define(RulesConfig.INGRESS_REQUEST_TIMEOUT);

  public static CloudConfig from(Config config) {
    String prefix = config.get(TOPIC_PREFIX);
    String appId = config.get(APPLICATION_ID);
    return new CloudConfig(
        config.get(KAFKA),
        Path.of(config.get(DATA_DIR)),
        prefix,
        config.get(NODE_RETENTION),
        config.get(UPSTREAM_PARTITIONS),
        config.get(RESOURCE_PARTITIONS),
        Set.copyOf(config.get(BROADCAST_KINDS)),
        config.get(DELETE_NODE_TOPICS),
        appId.isEmpty() ? prefix + "-router" : appId,
        io.kedge.runtime.config.KafkaClientProperties.load(config.get(KAFKA_CLIENT)),
        NodeWriteRules.parse(config.get(NODE_WRITES)),
        SecretFiles.read(
            NODE_KEY_SECRET_FILE.name(), config.get(NODE_KEY_SECRET_FILE), NodeSignatures::decode),
        FleetSettings.from(config));
  }

  /**
   * The defaults of an embedded cloud (the all-in-one, tests, benchmarks): one upstream and one
   * resources partition, the default broadcast kinds, node topics kept a day (or {@code
   * nodeRetention}), no client security, application id {@code <prefix>-router}, every node write
   * applied and upstream events not authenticated.
   */
  public static CloudConfig embedded(
      String kafkaBootstrap, Path dataDir, String topicPrefix, Duration nodeRetention) {
    return new CloudConfig(
        kafkaBootstrap,
        dataDir,
        topicPrefix,
        nodeRetention,
        1,
        1,
        RouterTopology.DEFAULT_BROADCAST_KINDS,
        false,
        topicPrefix + "-router",
        java.util.Map.of(),
        NodeWriteRules.ALL,
        null,
        FleetSettings.defaults());
  }

  /** The same, creating the resources topic with {@code partitions} partitions. */
  public CloudConfig withResourcePartitions(int partitions) {
    return new CloudConfig(
        kafkaBootstrap,
        dataDir,
        topicPrefix,
        nodeRetention,
        upstreamPartitions,
        partitions,
        broadcastKinds,
        deleteNodeTopics,
        applicationId,
        kafkaClient,
        nodeWrites,
        nodeKeySecret,
        fleet);
  }

  /** The same, with Kafka client settings {@code settings} (security). */
  public CloudConfig withKafkaClient(java.util.Map<String, Object> settings) {
    return new CloudConfig(
        kafkaBootstrap,
        dataDir,
        topicPrefix,
        nodeRetention,
        upstreamPartitions,
        resourcePartitions,
        broadcastKinds,
        deleteNodeTopics,
        applicationId,
        java.util.Map.copyOf(settings),
        nodeWrites,
        nodeKeySecret,
        fleet);
  }

  /** The same, applying for nodes only their own writes and {@code rules}. */
  public CloudConfig withNodeWrites(NodeWriteRules rules) {
    return new CloudConfig(
        kafkaBootstrap,
        dataDir,
        topicPrefix,
        nodeRetention,
        upstreamPartitions,
        resourcePartitions,
        broadcastKinds,
        deleteNodeTopics,
        applicationId,
        kafkaClient,
        rules,
        nodeKeySecret,
        fleet);
  }

  /** The same, accepting only upstream events signed with keys derived from {@code secret}. */
  public CloudConfig withNodeKeySecret(byte[] secret) {
    return new CloudConfig(
        kafkaBootstrap,
        dataDir,
        topicPrefix,
        nodeRetention,
        upstreamPartitions,
        resourcePartitions,
        broadcastKinds,
        deleteNodeTopics,
        applicationId,
        kafkaClient,
        nodeWrites,
        secret,
        fleet);
  }

  /** Settings every Kafka client of the cloud starts from: the servers and the security. */
  public java.util.Map<String, Object> kafkaClientConfig() {
    java.util.Map<String, Object> settings = new java.util.HashMap<>(kafkaClient);
    settings.put("bootstrap.servers", kafkaBootstrap);
    return settings;
  }

  public KedgeTopics topics() {
    return new KedgeTopics(topicPrefix, upstreamPartitions, nodeRetention, resourcePartitions);
  }
}
