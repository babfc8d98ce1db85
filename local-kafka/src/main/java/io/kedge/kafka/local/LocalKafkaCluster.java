package io.kedge.kafka.local;

import io.kedge.runtime.net.FreePorts;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka cluster in this JVM: one or more combined broker+controller KRaft nodes on loopback.
 * kedge local runs on it, and so do the tests, so that nothing needs Docker.
 *
 * <p>This is the only class that touches Kafka's internal server API ({@link KafkaRaftServer},
 * {@link Formatter}); if a Kafka upgrade moves them, only this class changes.
 *
 * <p>Ports and data directories are fixed when the cluster is built, so a node can be stopped and
 * started again on the same address and data, as a real broker restart would.
 */
public final class LocalKafkaCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalKafkaCluster.class);
  private static final String HOST = "127.0.0.1";

  private final List<NodeSpec> nodes;
  private final Path dataDir;
  private final boolean deleteOnClose;
  private final Map<String, String> extraConfig;
  private final List<ExtraListener> extraListeners;
  private final KafkaRaftServer[] servers;

  /**
   * A further client listener of the first node, advertised under another port (e.g. a proxy's).
   */
  private record ExtraListener(
      String name, int port, int advertisedPort, Map<String, String> plainUsers) {
    String protocol() {
      return plainUsers.isEmpty() ? "PLAINTEXT" : "SASL_PLAINTEXT";
    }
  }

  private record NodeSpec(int id, int brokerPort, int controllerPort, Path logDir) {}

  private LocalKafkaCluster(Builder builder, Path dataDir, boolean deleteOnClose) {
    this.dataDir = dataDir;
    this.deleteOnClose = deleteOnClose;
    this.extraConfig = Map.copyOf(builder.extraConfig);
    this.extraListeners = List.copyOf(builder.extraListeners);
    List<NodeSpec> specs = new ArrayList<>();
    for (int i = 0; i < builder.nodeCount; i++) {
      int brokerPort = i == 0 && builder.brokerPort > 0 ? builder.brokerPort : FreePorts.on(HOST);
      specs.add(
          new NodeSpec(i + 1, brokerPort, FreePorts.on(HOST), dataDir.resolve("node-" + (i + 1))));
    }
    this.nodes = List.copyOf(specs);
    this.servers = new KafkaRaftServer[nodes.size()];
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds and configures a {@link LocalKafkaCluster}. */
  public static final class Builder {
    private int nodeCount = 1;
    private int brokerPort;
    private Path dataDir;
    private final Map<String, String> extraConfig = new HashMap<>();
    private final List<ExtraListener> extraListeners = new ArrayList<>();

    private Builder() {}

    /**
     * Adds a plaintext client listener {@code name} on {@code port} of the first node that tells
     * clients to connect to {@code advertisedPort}: put a {@code TcpProxy} on that port in front of
     * {@code port}, and every client that bootstraps there talks to Kafka only through the proxy,
     * so a test can cut that client's link while others stay connected.
     */
    public Builder listener(String name, int port, int advertisedPort) {
      extraListeners.add(new ExtraListener(checkName(name), port, advertisedPort, Map.of()));
      return this;
    }

    /**
     * Adds a SASL_PLAINTEXT client listener {@code name} on {@code port} of the first node whose
     * clients log in with SASL/PLAIN as one of {@code users} (name to password), or with
     * SCRAM-SHA-512 as a user created through the Admin API, and become {@code User:<name>}
     * principals, so a test can give them ACLs (set {@code authorizer.class.name} through {@link
     * #config}). The plaintext listener stays, for the test's own admin.
     */
    public Builder saslPlainListener(String name, int port, Map<String, String> users) {
      if (users.isEmpty()) {
        throw new IllegalArgumentException("a SASL/PLAIN listener needs at least one user");
      }
      extraListeners.add(new ExtraListener(checkName(name), port, port, Map.copyOf(users)));
      return this;
    }

    private static String checkName(String name) {
      if (!name.matches("[A-Z][A-Z0-9_]*")
          || name.equals("PLAINTEXT")
          || name.equals("CONTROLLER")) {
        throw new IllegalArgumentException(
            "listener name '" + name + "' must be upper-case and not PLAINTEXT or CONTROLLER");
      }
      return name;
    }

    /** Number of combined broker+controller nodes: 1, or 3 for fault tests. */
    public Builder nodes(int count) {
      if (count < 1 || count > 9) {
        throw new IllegalArgumentException("nodes must be 1..9, got " + count);
      }
      this.nodeCount = count;
      return this;
    }

    /** Fixed client port of the first node; 0 (default) picks a free port. */
    public Builder brokerPort(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("broker port must be 0..65535, got " + port);
      }
      this.brokerPort = port;
      return this;
    }

    /**
     * Data directory, kept on close and reused on the next start. Without one, a temporary
     * directory is used and deleted on close.
     */
    public Builder dataDir(Path dir) {
      this.dataDir = dir;
      return this;
    }

    /** An extra broker config applied to every node (e.g. listener security). */
    public Builder config(String key, String value) {
      extraConfig.put(key, value);
      return this;
    }

    public LocalKafkaCluster build() {
      try {
        if (dataDir == null) {
          return new LocalKafkaCluster(this, Files.createTempDirectory("kedge-kafka-"), true);
        }
        Files.createDirectories(dataDir);
        return new LocalKafkaCluster(this, dataDir, false);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create Kafka data directory " + dataDir, e);
      }
    }
  }

  /** Formats new node directories, starts every node, and waits until all brokers serve. */
  public LocalKafkaCluster start(Duration timeout) {
    String clusterId = Uuid.randomUuid().toString();
    for (int i = 0; i < nodes.size(); i++) {
      format(nodes.get(i), clusterId);
    }
    startAll();
    awaitBrokers(nodes.size(), timeout);
    LOG.info("local Kafka ready: {} node(s) at {}", nodes.size(), bootstrapServers());
    return this;
  }

  /**
   * Starts every node at once: a combined node's startup blocks until the controller quorum has a
   * majority, so starting them one after another would never finish.
   */
  private void startAll() {
    List<Thread> starters = new ArrayList<>();
    List<RuntimeException> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < nodes.size(); i++) {
      int index = i;
      Thread t =
          new Thread(
              () -> {
                try {
                  startNode(index);
                } catch (RuntimeException e) {
                  failures.add(e);
                }
              },
              "kedge-kafka-start-" + nodes.get(i).id());
      t.start();
      starters.add(t);
    }
    for (Thread t : starters) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting Kafka", e);
      }
    }
    if (!failures.isEmpty()) {
      close();
      throw new IllegalStateException("Kafka did not start", failures.get(0));
    }
  }

  /** Starts node {@code index} (0-based) again on its ports and data, after {@link #stopNode}. */
  public void startNode(int index) {
    synchronized (servers) {
      if (servers[index] != null) {
        throw new IllegalStateException("node " + nodes.get(index).id() + " is already running");
      }
    }
    NodeSpec node = nodes.get(index);
    KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(nodeConfig(node)), Time.SYSTEM);
    server.startup();
    synchronized (servers) {
      servers[index] = server;
    }
  }

  /** Stops node {@code index} (0-based), as a broker crash or shutdown would. */
  public void stopNode(int index) {
    KafkaRaftServer server;
    synchronized (servers) {
      server = servers[index];
      servers[index] = null;
    }
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
    }
  }

  public int size() {
    return nodes.size();
  }

  /** Comma-separated {@code host:port} of every node's client listener. */
  public String bootstrapServers() {
    return nodes.stream().map(n -> HOST + ":" + n.brokerPort()).collect(Collectors.joining(","));
  }

  /** Client listener of node {@code index} (0-based). */
  public String bootstrapServers(int index) {
    return HOST + ":" + nodes.get(index).brokerPort();
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Each node's log directory ({@code log.dirs}), where its partitions' logs live. */
  public List<Path> logDirs() {
    return nodes.stream().map(NodeSpec::logDir).toList();
  }

  /** Admin client properties pointing at this cluster. */
  public Map<String, Object> clientConfig() {
    return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
  }

  private Map<String, String> nodeConfig(NodeSpec node) {
    String voters =
        nodes.stream()
            .map(s -> s.id() + "@" + HOST + ":" + s.controllerPort())
            .collect(Collectors.joining(","));
    Map<String, String> props = new HashMap<>();
    props.put("process.roles", "broker,controller");
    props.put("node.id", Integer.toString(node.id()));
    props.put("controller.quorum.voters", voters);
    StringBuilder listeners =
        new StringBuilder(
            "PLAINTEXT://"
                + HOST
                + ":"
                + node.brokerPort()
                + ",CONTROLLER://"
                + HOST
                + ":"
                + node.controllerPort());
    StringBuilder advertised = new StringBuilder("PLAINTEXT://" + HOST + ":" + node.brokerPort());
    StringBuilder protocols = new StringBuilder("PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    if (node.id() == 1) {
      for (ExtraListener extra : extraListeners) {
        listeners
            .append(',')
            .append(extra.name())
            .append("://")
            .append(HOST)
            .append(':')
            .append(extra.port());
        advertised
            .append(',')
            .append(extra.name())
            .append("://")
            .append(HOST)
            .append(':')
            .append(extra.advertisedPort());
        protocols.append(',').append(extra.name()).append(':').append(extra.protocol());
        if (!extra.plainUsers().isEmpty()) {
          String prefix = "listener.name." + extra.name().toLowerCase(Locale.ROOT) + ".";
          // PLAIN for the users given here; SCRAM for users made with the Admin API (nodes)
          props.put(prefix + "sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512");
          props.put(prefix + "plain.sasl.jaas.config", plainServerLogin(extra.plainUsers()));
          props.put(
              prefix + "scram-sha-512.sasl.jaas.config",
              "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        }
      }
    }
    props.put("listeners", listeners.toString());
    props.put("advertised.listeners", advertised.toString());
    props.put("listener.security.protocol.map", protocols.toString());
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("log.dirs", node.logDir().toString());
    props.putAll(clusterDefaults(nodes.size()));
    props.putAll(extraConfig);
    return props;
  }

  /**
   * The broker settings of a test cluster of {@code nodes} nodes, beside its listeners and quorum:
   * replication as the size allows, no topic auto-creation, fast retention checks, and no
   * controlled shutdown. Shared with clusters that run elsewhere (containers) so that scenarios see
   * the same broker everywhere.
   */
  public static Map<String, String> clusterDefaults(int nodes) {
    int replication = Math.min(3, nodes);
    int minIsr = nodes >= 3 ? 2 : 1;
    Map<String, String> props = new HashMap<>();
    props.put("num.partitions", "1");
    props.put("default.replication.factor", Integer.toString(replication));
    props.put("min.insync.replicas", Integer.toString(minIsr));
    props.put("offsets.topic.replication.factor", Integer.toString(replication));
    props.put("offsets.topic.num.partitions", "5");
    props.put("transaction.state.log.replication.factor", Integer.toString(replication));
    props.put("transaction.state.log.min.isr", Integer.toString(minIsr));
    props.put("transaction.state.log.num.partitions", "5");
    props.put("share.coordinator.state.topic.replication.factor", Integer.toString(replication));
    props.put("share.coordinator.state.topic.min.isr", Integer.toString(minIsr));
    props.put("group.initial.rebalance.delay.ms", "0");
    // kedge's transactional writers (the router, the REST ingress, rules delivery) begin a
    // transaction as soon as the last one commits; the broker holds the new one's first writes
    // until the last one's markers are written, checking every this many ms (Kafka's default 20).
    props.put("add.partitions.to.txn.retry.backoff.ms", "1");
    props.put("auto.create.topics.enable", "false");
    // Small segments and fast checks so that time retention is observable in tests and on a
    // laptop; production brokers are configured by their operators, not by this class.
    props.put("log.segment.bytes", Integer.toString(8 * 1024 * 1024));
    props.put("log.retention.check.interval.ms", "5000");
    // Without a quorum the last nodes of a closing cluster would wait minutes for a controlled
    // shutdown that can never be approved; a stopped node here behaves like a crashed one.
    props.put("controlled.shutdown.enable", "false");
    return props;
  }

  /** The broker's JAAS login for SASL/PLAIN: {@code user_<name>="<password>"} per user. */
  private static String plainServerLogin(Map<String, String> users) {
    StringBuilder login =
        new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
    users.forEach(
        (user, password) ->
            login.append(" user_").append(user).append("=\"").append(password).append('"'));
    return login.append(';').toString();
  }

  /**
   * Client settings that log in as {@code user} on a {@link Builder#saslPlainListener} listener.
   */
  public static Map<String, String> saslPlainClient(String user, String password) {
    return Map.of(
        "security.protocol",
        "SASL_PLAINTEXT",
        "sasl.mechanism",
        "PLAIN",
        "sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
            + user
            + "\" password=\""
            + password
            + "\";");
  }

  private void format(NodeSpec node, String clusterId) {
    if (Files.exists(node.logDir().resolve("meta.properties"))) {
      return; // formatted by an earlier run: keep its cluster id and data
    }
    try {
      Files.createDirectories(node.logDir());
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .setClusterId(clusterId)
          .setNodeId(node.id())
          .setControllerListenerName("CONTROLLER")
          .setMetadataLogDirectory(node.logDir().toString())
          .setDirectories(List.of(node.logDir().toString()))
          .setReleaseVersion(MetadataVersion.latestProduction())
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("cannot format Kafka storage in " + node.logDir(), e);
    }
  }

  private void awaitBrokers(int expected, Duration timeout) {
    Properties props = new Properties();
    props.putAll(clientConfig());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(props)) {
      while (true) {
        try {
          int seen = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
          if (seen >= expected) {
            return;
          }
        } catch (Exception e) {
          if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
          }
          LOG.debug("Kafka not ready yet: {}", e.toString());
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "Kafka did not report " + expected + " broker(s) within " + timeout);
        }
        sleepQuietly(100);
      }
    }
  }

  @Override
  public void close() {
    for (int i = servers.length - 1; i >= 0; i--) {
      try {
        stopNode(i);
      } catch (RuntimeException e) {
        LOG.warn("error stopping Kafka node {}: {}", nodes.get(i).id(), e.toString());
      }
    }
    if (deleteOnClose) {
      deleteRecursively(dataDir);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.warn("cannot delete {}: {}", dir, e.toString());
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
