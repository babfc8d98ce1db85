package io.kedge.mapper.opcua;

import io.kedge.runtime.config.Config;
import io.kedge.runtime.config.ConfigKey;
import io.kedge.runtime.config.ConfigSpec;
import io.kedge.runtime.ops.OpsConfig;
import io.kedge.schemas.NodeNames;
import java.time.Duration;

/** Configuration of {@code kedge mapper opcua}. */
public record MapperConfig(
    String node,
    String edgeApi,
    String edgeApiTokenFile,
    String edgeApiCa,
    String deviceProfile,
    String mqttUrl,
    String pkiDir,
    String trustedServers,
    boolean polling,
    Duration reconnectMax,
    Duration fullReportInterval) {

  public static final ConfigKey<String> NODE =
      ConfigKey.requiredString("mapper.node", "The edge node whose devices this mapper serves.")
          .withRule(NodeNames::isValid, "must be a DNS subdomain of at most 253 characters");
  public static final ConfigKey<String> EDGE_API =
      ConfigKey.string(
              "mapper.edge-api",
              "http://127.0.0.1:10550",
              "The node's edge API, where Device and DeviceModel objects are watched.")
          .withRule(
              url -> url.startsWith("http://") || url.startsWith("https://"),
              "must be an http:// or https:// URL");
  public static final ConfigKey<String> EDGE_API_TOKEN_FILE =
      ConfigKey.string(
          "mapper.edge-api-token-file", "", "File holding the bearer token for the edge API.");
  public static final ConfigKey<String> EDGE_API_CA =
      ConfigKey.string(
          "mapper.edge-api-ca", "", "PEM CA that signed the edge API's certificate (https).");
  public static final ConfigKey<String> DEVICE_PROFILE =
      ConfigKey.string(
          "mapper.device-profile",
          "",
          "A KubeEdge deviceProfile.json to take devices from instead of the edge API.");
  public static final ConfigKey<String> MQTT =
      ConfigKey.string(
              "mapper.mqtt",
              "tcp://127.0.0.1:1884",
              "The node's MQTT eventbus, where the twin contract is spoken.")
          .withRule(
              url -> url.startsWith("tcp://") || url.startsWith("ssl://"),
              "must be a tcp:// or ssl:// URL");
  public static final ConfigKey<String> PKI_DIR =
      ConfigKey.string(
          "mapper.pki-dir",
          "",
          "Directory of the mapper's OPC UA certificate (client.pem, client-key.pem), created on"
              + " first use; empty: a new certificate in memory at every start. Devices that name"
              + " their own certificate use it instead.");
  public static final ConfigKey<String> TRUSTED_SERVERS =
      ConfigKey.string(
          "mapper.trusted-servers",
          "",
          "PEM file of the OPC UA server certificates (or CAs) the mapper trusts on secured"
              + " channels; empty trusts any server certificate (logged).");
  public static final ConfigKey<Boolean> POLLING =
      ConfigKey.bool(
          "mapper.polling",
          false,
          "Poll every property each collectCycle instead of using subscriptions (for servers"
              + " without monitored items; items a server refuses are polled anyway).");
  public static final ConfigKey<Duration> RECONNECT_MAX =
      ConfigKey.duration(
          "mapper.reconnect-max",
          Duration.ofSeconds(30),
          Duration.ofMillis(100),
          "Longest wait between attempts to reach an OPC UA server that cannot be reached.");
  public static final ConfigKey<Duration> FULL_REPORT_INTERVAL =
      ConfigKey.duration(
          "mapper.full-report-interval",
          Duration.ofMinutes(1),
          Duration.ofSeconds(1),
          "How often the latest value of a property without a reportCycle is reported again,"
              + " changed or not, so a Device whose status was replaced shows all its values"
              + " again; a property's own reportCycle (nanoseconds, as in KubeEdge) wins.");
  public static final ConfigKey<String> OPS_BIND = OpsConfig.bindKey("127.0.0.1");
  public static final ConfigKey<Integer> OPS_PORT = OpsConfig.portKey(9102);

  public static final ConfigSpec DEF =
      new ConfigSpec("mapper")
          .define(NODE)
          .define(EDGE_API)
          .define(EDGE_API_TOKEN_FILE)
          .define(EDGE_API_CA)
          .define(DEVICE_PROFILE)
          .define(MQTT)
          .define(PKI_DIR)
          .define(TRUSTED_SERVERS)
          .define(POLLING)
          .define(RECONNECT_MAX)
          .define(FULL_REPORT_INTERVAL)
          .define(OPS_BIND)
          .define(OPS_PORT);

  public static MapperConfig from(Config config) {
    return new MapperConfig(
        config.get(NODE),
        config.get(EDGE_API),
        config.get(EDGE_API_TOKEN_FILE),
        config.get(EDGE_API_CA),
        config.get(DEVICE_PROFILE),
        config.get(MQTT),
        config.get(PKI_DIR),
        config.get(TRUSTED_SERVERS),
        config.get(POLLING),
        config.get(RECONNECT_MAX),
        config.get(FULL_REPORT_INTERVAL));
  }
}
