package io.kedge.edge.relay;

import io.kedge.edge.relay.uplink.UplinkBounds;
import io.kedge.kube.authorization.NodeWriteRules;
import io.kedge.runtime.config.CommonKeys;
import io.kedge.runtime.config.Config;
import io.kedge.runtime.config.ConfigKey;
import io.kedge.runtime.config.ConfigProblem;
import io.kedge.runtime.config.ConfigSources;
import io.kedge.runtime.config.ConfigSpec;
import io.kedge.runtime.config.InvalidConfigException;
import io.kedge.runtime.ops.OpsConfig;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.NodeNames;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Configuration of one edge node ({@code kedge edge}). */
public record EdgeConfig(
    String node,
    String kafkaBootstrap,
    Path dataDir,
    String apiBind,
    int apiPort,
    ApiTls apiTls,
    int mqttPort,
    String eventbusUrl,
    String topicPrefix,
    LogSettings log,
    int watchHistory,
    Duration bookmarkInterval,
    Duration writeTimeout,
    boolean tolerateNotReady,
    boolean registerNode,
    NodeWriteRules nodeWrites,
    io.kedge.schemas.authorization.NodeSignatures.NodeKey nodeKey,
    UplinkBounds uplinkBounds,
    java.util.Map<String, Object> kafkaClient,
    io.kedge.runtime.http.HttpBounds.Limits apiLimits,
    Duration heartbeatInterval) {

  /**
   * How the node's log is kept: its roll cycle, how long closed cycles stay, the disk budget of all
   * its data, how often the VIEW is snapshotted, and whether each batch is forced to disk.
   */
  public record LogSettings(
      RollCycleChoice rollCycle,
      Duration retention,
      long diskBudgetBytes,
      Duration snapshotInterval,
      boolean fsync,
      long minFreeBytes) {
    /** The defaults of the configuration keys. */
    public static LogSettings defaults() {
      return new LogSettings(
          ROLL_CYCLE.defaultValue(),
          LOG_RETENTION.defaultValue(),
          DISK_BUDGET.defaultValue(),
          SNAPSHOT_INTERVAL.defaultValue(),
          FSYNC.defaultValue(),
          MIN_FREE_DISK.defaultValue());
    }
  }

  /**
   * TLS and authentication of the edge API: PEM certificate and key, and a file of bearer tokens
   * (one per line) and/or a PEM file of CAs for client certificates. Empty strings: not set.
   */
  public record ApiTls(String certFile, String keyFile, String tokenFile, String clientCaFile) {
    public static ApiTls none() {
      return new ApiTls("", "", "", "");
    }

    public boolean enabled() {
      return !certFile.isEmpty();
    }

    public boolean authenticates() {
      return !tokenFile.isEmpty() || !clientCaFile.isEmpty();
    }
  }

  /** Chronicle Queue roll cycles offered: how often a new queue file starts. */
  public enum RollCycleChoice {
    FAST_HOURLY,
    FAST_DAILY,
    WEEKLY
  }

  public static final ConfigKey<String> NODE =
      ConfigKey.requiredString("edge.node", "Name of this edge node (a Kubernetes Node name).")
          .withRule(NodeNames::isValid, "must be a DNS subdomain of at most 253 characters");
  public static final ConfigKey<String> KAFKA = CommonKeys.KAFKA_BOOTSTRAP;
  public static final ConfigKey<String> KAFKA_CLIENT =
      io.kedge.runtime.config.KafkaClientProperties.KEY;
  public static final ConfigKey<String> DATA_DIR =
      ConfigKey.requiredString(
          "edge.data-dir", "Directory of the node's log, uplink queue and snapshots.");
  public static final ConfigKey<String> API_BIND =
      ConfigKey.string(
          "edge.api-bind",
          "127.0.0.1",
          "Address the edge API binds. Any other than a loopback address needs edge.api-tls-cert,"
              + " edge.api-tls-key and edge.api-token-file or edge.api-client-ca.");
  public static final ConfigKey<String> API_TLS_CERT =
      ConfigKey.string(
          "edge.api-tls-cert", "", "PEM certificate chain the edge API serves TLS with.");
  public static final ConfigKey<String> API_TLS_KEY =
      ConfigKey.string(
          "edge.api-tls-key", "", "PEM private key of edge.api-tls-cert (PKCS#1, SEC1 or PKCS#8).");
  public static final ConfigKey<String> API_TOKEN_FILE =
      ConfigKey.string(
          "edge.api-token-file",
          "",
          "File of bearer tokens the edge API accepts, one per line (needs TLS).");
  public static final ConfigKey<String> API_CLIENT_CA =
      ConfigKey.string(
          "edge.api-client-ca",
          "",
          "PEM CA certificates whose client certificates the edge API accepts (needs TLS).");
  public static final ConfigKey<Integer> API_PORT =
      ConfigKey.port("edge.api-port", 10550, true, "Port of the edge API.");
  public static final ConfigKey<Integer> MQTT_PORT =
      ConfigKey.port(
          "edge.mqtt-port",
          1884,
          true,
          "Port of the embedded MQTT eventbus (used by the eventbus and device twin).");
  public static final ConfigKey<String> EVENTBUS_URL =
      ConfigKey.string(
              "eventbus.url",
              "",
              "MQTT broker of the node's eventbus, tcp://host:port (e.g. tcp://127.0.0.1:1883 for a"
                  + " local Mosquitto); empty: the embedded broker on 127.0.0.1:edge.mqtt-port.")
          .withRule(
              url -> url.isEmpty() || url.startsWith("tcp://") || url.startsWith("ssl://"),
              "must be empty or a tcp:// or ssl:// URL");
  public static final ConfigKey<String> TOPIC_PREFIX = CommonKeys.TOPIC_PREFIX;
  public static final ConfigKey<RollCycleChoice> ROLL_CYCLE =
      ConfigKey.choice(
          "log.roll-cycle",
          RollCycleChoice.class,
          RollCycleChoice.FAST_DAILY,
          "How often the log starts a new file.");
  public static final ConfigKey<Duration> LOG_RETENTION =
      ConfigKey.duration(
          "log.retention",
          Duration.ofDays(7),
          Duration.ofMinutes(1),
          "How long closed log cycles are kept; they are deleted only once a VIEW snapshot"
              + " covers them.");
  public static final ConfigKey<Long> DISK_BUDGET =
      ConfigKey.bytes(
          "log.disk-budget",
          4L << 30,
          1L << 20,
          "Disk space for the node's log, uplink queue and snapshots; over it, the oldest closed"
              + " cycles are deleted early (still only once a snapshot covers them).");
  public static final ConfigKey<Duration> SNAPSHOT_INTERVAL =
      ConfigKey.duration(
          "log.snapshot-interval",
          Duration.ofMinutes(10),
          Duration.ofSeconds(1),
          "How often the VIEW is snapshotted when it changed; a restart replays the log after"
              + " the newest snapshot.");
  public static final ConfigKey<Boolean> FSYNC =
      ConfigKey.bool(
          "log.fsync",
          false,
          "Force each downlink batch to disk before going on: survives power loss, at a cost"
              + " measured by `kedge bench relay`. Without it, entries survive a process crash.");
  public static final ConfigKey<Long> MIN_FREE_DISK =
      ConfigKey.bytes(
          "log.min-free-disk",
          256L << 20,
          0,
          "Free space the log and uplink leave on their file system: below it, the downlink pauses"
              + " and edge writes get 503 until space is back, instead of a crash on a full disk.");
  public static final ConfigKey<Integer> WATCH_HISTORY =
      ConfigKey.integer(
          "edge.watch-history",
          100_000,
          100,
          10_000_000,
          "Changes kept in memory for resuming watches; older resourceVersions get 410 Expired.");
  public static final ConfigKey<Duration> BOOKMARK_INTERVAL =
      ConfigKey.duration(
          "edge.bookmark-interval",
          Duration.ofSeconds(30),
          Duration.ofSeconds(1),
          "Period of watch BOOKMARK events.");

  public static final ConfigKey<Duration> HEARTBEAT_INTERVAL =
      ConfigKey.duration(
          "edge.heartbeat-interval",
          Duration.ofSeconds(15),
          Duration.ofSeconds(1),
          "Period of the node's heartbeat to the cloud (log position, link, uplink backlog, disk);"
              + " one is also sent on every change of the link.");

  public static final ConfigKey<Duration> WRITE_TIMEOUT =
      ConfigKey.duration(
          "edge.write-timeout",
          Duration.ofSeconds(10),
          Duration.ofMillis(100),
          "How long a write on the edge API waits for the cloud's answer before 504 Timeout.");
  public static final ConfigKey<Boolean> TOLERATE_NOT_READY =
      ConfigKey.bool(
          "edge.offline-autonomy.not-ready",
          false,
          "Pods created on the edge API with app-offline.kubeedge.io=autonomy also tolerate"
              + " node.kubernetes.io/not-ready forever.");

  public static final ConfigKey<Boolean> REGISTER_NODE =
      ConfigKey.bool(
          "edge.register-node",
          true,
          "Register this node with the cloud when the node does not hold its own Node: a create of"
              + " its Node goes up the uplink, and the cloud then provisions the node's topic.");

  public static final ConfigKey<List<String>> NODE_WRITES =
      nodeWritesKey(
          "edge.node-writes",
          "Writes this node's edge API accepts beyond the node's own objects (its Node, Lease,"
              + " CSINode, mirror pods, the status of its pods, their claims and devices, Events,"
              + " its pods' tokens), each apiVersion/Kind, apiVersion/Kind@namespace or *"
              + " (everything); the cloud decides again with router.node-writes.");

  public static final ConfigKey<String> NODE_KEY_FILE =
      ConfigKey.string(
          "edge.node-key-file",
          "",
          "File holding this node's upstream key (base64, from kedge node add): every event the"
              + " node sends is signed with it, so the cloud knows which node wrote it. Empty:"
              + " events go unsigned, which a cloud with router.node-key-secret-file refuses.");

  public static final ConfigKey<Integer> NODE_KEY_GENERATION =
      ConfigKey.integer(
          "edge.node-key-generation",
          0,
          0,
          Integer.MAX_VALUE,
          "Generation of the key in edge.node-key-file (from the same kedge node add): the cloud"
              + " refuses keys older than the node's latest.");

  /** A list of node write rules, each checked when the configuration is read. */
  private static ConfigKey<List<String>> nodeWritesKey(String name, String doc) {
    return ConfigKey.list(name, List.of(), doc)
        .withRule(
            io.kedge.runtime.config.SecretFiles.parses(NodeWriteRules::parse),
            "each must be apiVersion/Kind, apiVersion/Kind@namespace or *");
  }

  public static final ConfigKey<Integer> API_MAX_CONNECTIONS =
      ConfigKey.integer(
          "edge.api-max-connections",
          1024,
          1,
          1_000_000,
          "Connections the edge API holds at most; a new one beyond gets 503 with Retry-After.");
  public static final ConfigKey<Integer> API_MAX_IN_FLIGHT =
      ConfigKey.integer(
          "edge.api-max-in-flight",
          400,
          1,
          1_000_000,
          "Requests the edge API handles at once (watches do not count), as kube-apiserver's"
              + " --max-requests-inflight; one beyond gets 429 with Retry-After.");
  public static final ConfigKey<Duration> API_IDLE_TIMEOUT =
      ConfigKey.duration(
          "edge.api-idle-timeout",
          Duration.ofMinutes(5),
          Duration.ofSeconds(1),
          "An edge API connection with no traffic this long is closed, unless it carries a"
              + " watch.");
  public static final ConfigKey<Duration> API_REQUEST_TIMEOUT =
      ConfigKey.duration(
          "edge.api-request-timeout",
          Duration.ofMinutes(1),
          Duration.ofMillis(100),
          "A request must arrive whole within this time of its first byte, else 408.");

  public static final ConfigKey<Integer> UPLINK_MAX_EVENTS =
      ConfigKey.integer(
          "uplink.max-events",
          1_000_000,
          1,
          1_000_000_000,
          "Events the uplink queue may hold while the cloud is away.");
  public static final ConfigKey<Duration> UPLINK_MAX_AGE =
      ConfigKey.duration(
          "uplink.max-age",
          Duration.ofDays(7),
          Duration.ofSeconds(1),
          "How long an event may wait in the uplink queue.");
  public static final ConfigKey<UplinkBounds.FullPolicy> UPLINK_FULL_POLICY =
      ConfigKey.choice(
          "uplink.full-policy",
          UplinkBounds.FullPolicy.class,
          UplinkBounds.FullPolicy.REJECT,
          "When the uplink is full: REJECT new events with a clear error to the writer, or"
              + " DROP_OLDEST (counted in kedge_uplink_dropped_total and logged).");

  public static final ConfigKey<String> OPS_BIND = OpsConfig.bindKey("127.0.0.1");
  public static final ConfigKey<Integer> OPS_PORT = OpsConfig.portKey(9101);

  public static final ConfigSpec DEF =
      new ConfigSpec("edge")
          .define(NODE)
          .define(KAFKA)
          .define(KAFKA_CLIENT)
          .define(DATA_DIR)
          .define(API_BIND)
          .define(API_PORT)
          .define(API_TLS_CERT)
          .define(API_TLS_KEY)
          .define(API_TOKEN_FILE)
          .define(API_CLIENT_CA)
          .define(MQTT_PORT)
          .define(EVENTBUS_URL)
          .define(TOPIC_PREFIX)
          .define(ROLL_CYCLE)
          .define(LOG_RETENTION)
          .define(DISK_BUDGET)
          .define(SNAPSHOT_INTERVAL)
          .define(FSYNC)
          .define(MIN_FREE_DISK)
          .define(WATCH_HISTORY)
          .define(BOOKMARK_INTERVAL)
          .define(HEARTBEAT_INTERVAL)
          .define(WRITE_TIMEOUT)
          .define(TOLERATE_NOT_READY)
          .define(REGISTER_NODE)
          .define(NODE_WRITES)
          .define(NODE_KEY_FILE)
          .define(NODE_KEY_GENERATION)
          .define(API_MAX_CONNECTIONS)
          .define(API_MAX_IN_FLIGHT)
          .define(API_IDLE_TIMEOUT)
          .define(API_REQUEST_TIMEOUT)
          .define(UPLINK_MAX_EVENTS)
          .define(UPLINK_MAX_AGE)
          .define(UPLINK_FULL_POLICY)
          .define(OPS_BIND)
          .define(OPS_PORT);

  /**
   * An edge node embedded in a test or benchmark: on free ports (API and MQTT), reaching Kafka at
   * {@code bootstrap}, with {@code flags} (key to value) on top of the defaults. It does not
   * register itself (its test declares its Node) unless the flags turn {@code edge.register-node}
   * on, and its edge API accepts every write ({@code edge.node-writes} = {@code *}) unless the
   * flags restrict it.
   */
  public static EdgeConfig embedded(
      String node, String bootstrap, String topicPrefix, Path dataDir, Map<String, Object> flags) {
    ConfigSources sources =
        ConfigSources.withEnvironment(Map.of())
            .flag(NODE.name(), node, "embedded")
            .flag(KAFKA.name(), bootstrap, "embedded")
            .flag(DATA_DIR.name(), dataDir, "embedded")
            .flag(API_PORT.name(), 0, "embedded")
            .flag(MQTT_PORT.name(), 0, "embedded")
            .flag(REGISTER_NODE.name(), false, "embedded")
            .flag(NODE_WRITES.name(), "*", "embedded")
            .flag(TOPIC_PREFIX.name(), topicPrefix, "embedded");
    for (Map.Entry<String, Object> flag : flags.entrySet()) {
      sources = sources.flag(flag.getKey(), flag.getValue(), "embedded");
    }
    return from(DEF.parse(sources));
  }

  public static EdgeConfig from(Config config) {
    ApiTls tls =
        new ApiTls(
            config.get(API_TLS_CERT),
            config.get(API_TLS_KEY),
            config.get(API_TOKEN_FILE),
            config.get(API_CLIENT_CA));
    checkApiSecurity(config.get(API_BIND), tls);
    return new EdgeConfig(
        config.get(NODE),
        config.get(KAFKA),
        Path.of(config.get(DATA_DIR)),
        config.get(API_BIND),
        config.get(API_PORT),
        tls,
        config.get(MQTT_PORT),
        config.get(EVENTBUS_URL),
        config.get(TOPIC_PREFIX),
        new LogSettings(
            config.get(ROLL_CYCLE),
            config.get(LOG_RETENTION),
            config.get(DISK_BUDGET),
            config.get(SNAPSHOT_INTERVAL),
            config.get(FSYNC),
            config.get(MIN_FREE_DISK)),
        config.get(WATCH_HISTORY),
        config.get(BOOKMARK_INTERVAL),
        config.get(WRITE_TIMEOUT),
        config.get(TOLERATE_NOT_READY),
        config.get(REGISTER_NODE),
        NodeWriteRules.parse(config.get(NODE_WRITES)),
        nodeKey(config),
        new UplinkBounds(
            config.get(UPLINK_MAX_EVENTS),
            config.get(UPLINK_MAX_AGE),
            config.get(UPLINK_FULL_POLICY)),
        io.kedge.runtime.config.KafkaClientProperties.load(config.get(KAFKA_CLIENT)),
        new io.kedge.runtime.http.HttpBounds.Limits(
            config.get(API_MAX_CONNECTIONS),
            config.get(API_MAX_IN_FLIGHT),
            config.get(API_IDLE_TIMEOUT),
            config.get(API_REQUEST_TIMEOUT)),
        config.get(HEARTBEAT_INTERVAL));
  }

  private static io.kedge.schemas.authorization.NodeSignatures.NodeKey nodeKey(Config config) {
    byte[] key =
        io.kedge.runtime.config.SecretFiles.read(
            NODE_KEY_FILE.name(),
            config.get(NODE_KEY_FILE),
            io.kedge.schemas.authorization.NodeSignatures::decode);
    return key == null
        ? null
        : new io.kedge.schemas.authorization.NodeSignatures.NodeKey(
            key, config.get(NODE_KEY_GENERATION));
  }

  public KedgeTopics topics() {
    return new KedgeTopics(topicPrefix, 1, Duration.ofDays(7));
  }

  /** The rules across the API keys: TLS files in pairs, auth only over TLS, and no open bind. */
  static void checkApiSecurity(String bind, ApiTls tls) {
    List<ConfigProblem> problems = new ArrayList<>();
    if (tls.certFile().isEmpty() != tls.keyFile().isEmpty()) {
      problems.add(
          new ConfigProblem(
              tls.certFile().isEmpty() ? API_TLS_CERT.name() : API_TLS_KEY.name(),
              null,
              "",
              "edge.api-tls-cert and edge.api-tls-key must be set together"));
    }
    if (!tls.enabled() && tls.authenticates()) {
      problems.add(
          new ConfigProblem(
              tls.tokenFile().isEmpty() ? API_CLIENT_CA.name() : API_TOKEN_FILE.name(),
              tls.tokenFile().isEmpty() ? tls.clientCaFile() : tls.tokenFile(),
              "",
              "needs edge.api-tls-cert and edge.api-tls-key: tokens and certificates are only"
                  + " checked over TLS"));
    }
    if (!loopback(bind) && !(tls.enabled() && tls.authenticates())) {
      problems.add(
          new ConfigProblem(
              API_BIND.name(),
              bind,
              "",
              "is not a loopback address, so it needs TLS (edge.api-tls-cert, edge.api-tls-key)"
                  + " and authentication (edge.api-token-file or edge.api-client-ca)"));
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems);
    }
  }

  private static boolean loopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
