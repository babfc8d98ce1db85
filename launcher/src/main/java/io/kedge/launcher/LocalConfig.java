package io.kedge.launcher;

import io.kedge.runtime.config.CommonKeys;
import io.kedge.runtime.config.Config;
import io.kedge.runtime.config.ConfigKey;
import io.kedge.runtime.config.ConfigSpec;
import io.kedge.runtime.ops.OpsConfig;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.NodeNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Configuration of the all-in-one {@code kedge local}. */
public record LocalConfig(
    List<String> nodes,
    Path dataDir,
    int kafkaPort,
    int apiPort,
    int mqttPort,
    int ingressPort,
    String topicPrefix,
    Duration nodeRetention,
    int opsPort,
    boolean demo,
    int opcuaPort,
    boolean secure) {

  static final ConfigKey<List<String>> NODES =
      ConfigKey.list(
              "local.nodes", List.of("edge-1", "edge-2"), "Edge nodes to run, comma-separated.")
          .withRule(LocalConfig::validNodes, "must be 1-20 distinct DNS-subdomain node names");
  static final ConfigKey<String> DATA_DIR =
      ConfigKey.string(
          "local.data-dir", ".kedge/local", "Directory for Kafka data and each node's log.");
  static final ConfigKey<Integer> KAFKA_PORT =
      ConfigKey.port(
          "local.kafka-port",
          9092,
          true,
          "Port of the in-process Kafka broker; 0 picks a free one.");
  static final ConfigKey<Integer> API_PORT =
      ConfigKey.port(
          "local.api-port",
          10550,
          true,
          "Edge API port of the first node; the others follow (10551, ...). 0 picks free ports.");
  static final ConfigKey<Integer> MQTT_PORT =
      ConfigKey.port(
          "local.mqtt-port",
          1884,
          true,
          "Embedded MQTT port of the first node; the others follow (1885, ...). 0 picks free ports.");
  static final ConfigKey<Integer> INGRESS_PORT =
      ConfigKey.port(
          "local.ingress-port",
          9443,
          true,
          "Port of the rules REST ingress (on 127.0.0.1); 0 picks a free one.");
  static final ConfigKey<String> TOPIC_PREFIX = CommonKeys.TOPIC_PREFIX;
  static final ConfigKey<Duration> NODE_RETENTION =
      ConfigKey.duration(
          "topics.node-retention",
          Duration.ofDays(7),
          Duration.ofMinutes(1),
          "Time retention of node topics.");

  static final ConfigKey<Integer> OPS_PORT = OpsConfig.portKey(9100);
  static final ConfigKey<Boolean> DEMO =
      ConfigKey.bool(
          "local.demo",
          false,
          "Apply the examples (a pod and its ConfigMap, rules, an OPC UA device), start an OPC UA"
              + " demo server and the OPC UA mapper on the first node.");
  static final ConfigKey<Integer> OPCUA_PORT =
      ConfigKey.port(
          "local.opcua-port",
          4840,
          true,
          "Port of the demo OPC UA server (with local.demo); 0 picks a free one.");

  static final ConfigKey<Boolean> SECURE =
      ConfigKey.bool(
          "local.secure",
          false,
          "Run as production does: Kafka with a SASL listener and ACLs, a Kafka user, ACLs, key"
              + " and join file per node (as kedge node add makes them), signed upstream events"
              + " and node authorization; secrets in <local.data-dir>/secure.");

  static final ConfigSpec DEF =
      new ConfigSpec("local")
          .define(NODES)
          .define(DATA_DIR)
          .define(KAFKA_PORT)
          .define(API_PORT)
          .define(MQTT_PORT)
          .define(INGRESS_PORT)
          .define(TOPIC_PREFIX)
          .define(NODE_RETENTION)
          .define(OPS_PORT)
          .define(DEMO)
          .define(OPCUA_PORT)
          .define(SECURE);

  static LocalConfig from(Config config) {
    return new LocalConfig(
        config.get(NODES),
        Path.of(config.get(DATA_DIR)),
        config.get(KAFKA_PORT),
        config.get(API_PORT),
        config.get(MQTT_PORT),
        config.get(INGRESS_PORT),
        config.get(TOPIC_PREFIX),
        config.get(NODE_RETENTION),
        config.get(OPS_PORT),
        config.get(DEMO),
        config.get(OPCUA_PORT),
        config.get(SECURE));
  }

  KedgeTopics topics() {
    return new KedgeTopics(topicPrefix, 1, nodeRetention);
  }

  /** Edge API port of the {@code i}-th node (0-based). */
  int apiPort(int i) {
    return apiPort == 0 ? 0 : apiPort + i;
  }

  /** Embedded MQTT port of the {@code i}-th node (0-based). */
  int mqttPort(int i) {
    return mqttPort == 0 ? 0 : mqttPort + i;
  }

  private static boolean validNodes(List<String> nodes) {
    if (nodes.isEmpty() || nodes.size() > 20 || nodes.stream().distinct().count() != nodes.size()) {
      return false;
    }
    return nodes.stream().allMatch(NodeNames::isValid);
  }
}
