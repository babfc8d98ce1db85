package io.kedge.edge.relay;

import io.kedge.edge.api.http.ApiSecurity;
import io.kedge.edge.api.http.EdgeApiOptions;
import io.kedge.edge.api.http.EdgeApiServer;
import io.kedge.edge.api.view.ResourceTypes;
import io.kedge.edge.api.view.View;
import io.kedge.edge.api.view.ViewApplier;
import io.kedge.edge.api.view.ViewSnapshots;
import io.kedge.edge.relay.eventbus.EmbeddedBroker;
import io.kedge.edge.relay.eventbus.EventbusSources;
import io.kedge.edge.relay.eventbus.RuleMessageDelivery;
import io.kedge.edge.relay.eventbus.ServicebusCaller;
import io.kedge.edge.relay.link.Downlink;
import io.kedge.edge.relay.link.LinkState;
import io.kedge.edge.relay.link.PoisonRecords;
import io.kedge.edge.relay.log.DiskReserve;
import io.kedge.edge.relay.log.DownlinkLog;
import io.kedge.edge.relay.log.LogRetention;
import io.kedge.edge.relay.log.PositionFile;
import io.kedge.edge.relay.twin.DeviceTwinBridge;
import io.kedge.edge.relay.uplink.UplinkForwarder;
import io.kedge.edge.relay.uplink.UplinkLog;
import io.kedge.runtime.lifecycle.Components;
import io.kedge.runtime.mqtt.Eventbus;
import io.kedge.runtime.tls.TlsMaterial;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.NodeHeartbeat;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLContext;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running edge node: the relay (downlink into the LOG, uplink out of its queue) and the edge
 * API over the VIEW, in one process. Reads never wait on Kafka.
 */
public final class EdgeNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeNode.class);
  private static final Duration RETENTION_PERIOD = Duration.ofSeconds(30);

  private final EdgeConfig config;
  private final Components parts = new Components();
  private Downlink downlink;
  private PoisonRecords poison;
  private ViewApplier applier;
  private EdgeApiServer api;
  private View view;
  private UplinkLog uplinkLog;
  private UplinkForwarder forwarder;
  private LogRetention retention;
  private Eventbus eventbus;
  private DeviceTwinBridge twins;
  private String mqttUrl;
  private DownlinkLog log;
  private DiskReserve reserve;

  private EdgeNode(EdgeConfig config) {
    this.config = config;
  }

  /** Opens the node's data and starts relay and API; on failure, closes what it started. */
  public static EdgeNode start(EdgeConfig config, String kedgeVersion) throws InterruptedException {
    EdgeNode node = new EdgeNode(config);
    try {
      node.startParts(kedgeVersion);
      return node;
    } catch (RuntimeException | InterruptedException e) {
      node.close();
      throw e;
    }
  }

  private void startParts(String kedgeVersion) throws InterruptedException {
    Path dataDir = config.dataDir();
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "edge.data-dir " + dataDir + " cannot be created: " + e.getMessage(), e);
    }
    if (!Files.isWritable(dataDir)) {
      throw new IllegalStateException("edge.data-dir " + dataDir + " is not writable");
    }
    EventCodec codec = new EventCodec();
    EdgeConfig.LogSettings settings = config.log();
    RollCycle cycle = rollCycle(settings.rollCycle());
    log =
        add(
            DownlinkLog.open(
                dataDir.resolve("log"),
                cycle,
                codec,
                settings.fsync(),
                SystemTimeProvider.INSTANCE));
    uplinkLog = add(UplinkLog.open(dataDir.resolve("uplink"), cycle, codec));
    reserve = DiskReserve.of(dataDir, settings.minFreeBytes());
    log.withReserve(reserve);
    uplinkLog.withReserve(reserve);

    // The Kafka clients are built (and their classes loaded) while the VIEW loads its snapshot:
    // reads are served sooner after a start.
    CompletableFuture<KafkaClients> clients =
        CompletableFuture.supplyAsync(
            () -> kafkaClients(codec),
            task -> new Thread(task, "kedge-kafka-clients-" + config.node()).start());
    view = new View(ResourceTypes.builtIn(), config.watchHistory());
    ViewSnapshots snapshots = new ViewSnapshots(dataDir.resolve("snapshots"));
    String gap;
    try {
      gap = restoreView(log, snapshots);
    } catch (RuntimeException e) {
      clients.thenAccept(KafkaClients::close);
      throw e;
    }
    KafkaClients built = join(clients);
    KafkaProducer<String, byte[]> producer = built.producer();
    // Bounded close: unsent events stay in the uplink queue and go after the restart.
    add(() -> producer.close(Duration.ofSeconds(5)));
    forwarder =
        add(
            new UplinkForwarder(
                    config.node(),
                    uplinkLog,
                    producer,
                    config.topics().upstream().name(),
                    dataDir.resolve("uplink.position"),
                    codec,
                    config.uplinkBounds(),
                    Clock.systemUTC(),
                    config.nodeKey())
                .start());
    Downlink link = add(built.downlink()).start();
    downlink = link;
    if (gap != null) {
      link.resyncSoon(gap);
    }
    log.onUnreadable(
        index -> link.resyncSoon("log entry " + index + " is unreadable; the VIEW may miss it"));
    poison =
        add(
            new PoisonRecords(
                config.node(),
                config.topics().node(config.node()).name(),
                dataDir.resolve("poison.position"),
                producer,
                config.topics().deadletter().name()));
    log.onPoison(poison);
    // after the listeners, so that what is found while replaying at start is answered too
    applier = add(new ViewApplier(view, log, config.bookmarkInterval(), config.node()).start());
    retention =
        add(
            new LogRetention(
                    log,
                    uplinkLog,
                    forwarder::forwardedIndex,
                    view,
                    snapshots,
                    dataDir,
                    new LogRetention.Policy(
                        settings.retention(),
                        settings.diskBudgetBytes(),
                        settings.snapshotInterval()),
                    Clock.systemUTC())
                .start(RETENTION_PERIOD, config.node()));
    // reads are served from the restored VIEW before the eventbus's broker is up
    api =
        add(
            EdgeApiServer.start(
                view,
                new EdgeApiOptions(
                    config.apiBind(),
                    config.apiPort(),
                    EdgeApiOptions.DEFAULT_MAX_BODY_BYTES,
                    10_000,
                    config.writeTimeout(),
                    config.tolerateNotReady(),
                    apiSecurity(config.apiTls()),
                    config.nodeWrites(),
                    config.apiLimits()),
                applier::caughtUp,
                kedgeVersion,
                new RelayWriteUplink(
                    config.node(),
                    link,
                    uplinkLog,
                    forwarder,
                    log,
                    config.uplinkBounds(),
                    Clock.systemUTC()),
                config.node()));
    if (config.registerNode()) {
      // decided on the replayed VIEW, so a node that holds its Node in its log does not ask again
      applier
          .whenCaughtUp()
          .thenRunAsync(() -> NodeRegistration.registerIfUnknown(config.node(), view, uplinkLog));
    }
    startEventbus(dataDir);
    twins =
        add(new DeviceTwinBridge(config.node(), view, eventbus, api.writes(), Clock.systemUTC()))
            .start();
    long startedAtMs = System.currentTimeMillis();
    add(
        new Heartbeats(
                uplinkLog,
                () ->
                    new NodeHeartbeat(
                        config.node(),
                        System.currentTimeMillis(),
                        startedAtMs,
                        kedgeVersion,
                        linkState().name(),
                        downlink.lastOffset(),
                        downlink.nextOffset(),
                        uplinkLog.countAfter(forwarder.forwardedIndex()),
                        reserve.usableBytes(),
                        settings.diskBudgetBytes(),
                        view.size()),
                this::linkState,
                config.heartbeatInterval(),
                Clock.systemUTC(),
                config.node())
            .start());
    LOG.info(
        "edge node {} started: API {}://{}:{}, data in {}",
        config.node(),
        config.apiTls().enabled() ? "https" : "http",
        config.apiBind(),
        api.port(),
        dataDir);
  }

  private record KafkaClients(KafkaProducer<String, byte[]> producer, Downlink downlink) {
    void close() {
      downlink.close();
      producer.close(Duration.ZERO);
    }
  }

  private KafkaClients kafkaClients(EventCodec codec) {
    KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(producerConfig(), new StringSerializer(), new ByteArraySerializer());
    try {
      Downlink downlink =
          new Downlink(
              config.node(),
              config.topics().node(config.node()).name(),
              consumerConfig(),
              log,
              uplinkLog,
              codec);
      return new KafkaClients(producer, downlink);
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO);
      throw e;
    }
  }

  /** What {@code future} gave, or what it threw, as it threw it. */
  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** The EVENTBUS: broker (embedded unless eventbus.url names one), rule delivery, sources. */
  private void startEventbus(Path dataDir) {
    String url = config.eventbusUrl();
    if (url.isEmpty()) {
      EmbeddedBroker broker =
          add(EmbeddedBroker.start("127.0.0.1", config.mqttPort(), dataDir.resolve("mqtt")));
      url = broker.url();
    }
    mqttUrl = url;
    eventbus = add(new Eventbus(url, "kedge-relay-" + config.node()).start());
    RuleMessageDelivery delivery =
        add(
            new RuleMessageDelivery(
                    config.node(),
                    log,
                    eventbus,
                    add(new ServicebusCaller(config.node(), uplinkLog)),
                    new PositionFile(dataDir.resolve("eventbus.position"), "eventbus delivery"),
                    log.lastIndex())
                .start());
    retention.keepingFor(delivery::position);
    add(new EventbusSources(config.node(), view, eventbus, uplinkLog).start());
  }

  /** The MQTT broker of the node's eventbus. */
  public String mqttUrl() {
    return mqttUrl;
  }

  public Eventbus eventbus() {
    return eventbus;
  }

  /** The KubeEdge MQTT twin contract of this node's devices. */
  public DeviceTwinBridge twins() {
    return twins;
  }

  /**
   * Loads the newest VIEW snapshot the log continues; returns why a resync is needed (the log lost
   * entries the VIEW would need), or null.
   */
  private String restoreView(DownlinkLog log, ViewSnapshots snapshots) {
    var checkpoint = snapshots.loadNewest();
    if (checkpoint.isPresent() && checkpoint.get().index() > log.lastIndex()) {
      // the log is behind the snapshot (replaced or lost): its indexes could repeat older ones
      LOG.warn(
          "node {}: snapshot at index {} is ahead of the log (last index {}); ignored",
          config.node(),
          checkpoint.get().index(),
          log.lastIndex());
      checkpoint = java.util.Optional.empty();
    }
    checkpoint.ifPresent(view::restore);
    long from = view.resourceVersion();
    if (log.lastIndex() >= 0 && !log.continuesAfter(from)) {
      return from < 0
          ? "the log's oldest cycles were deleted and no snapshot covers them"
          : "the log does not continue the snapshot at index " + from;
    }
    return null;
  }

  /** The edge API's TLS identity and accepted credentials, read from the configured files. */
  static ApiSecurity apiSecurity(EdgeConfig.ApiTls tls) {
    if (!tls.enabled()) {
      return ApiSecurity.none();
    }
    List<String> tokens = List.of();
    if (!tls.tokenFile().isEmpty()) {
      try {
        tokens =
            Files.readAllLines(Path.of(tls.tokenFile())).stream()
                .map(String::trim)
                .filter(t -> !t.isEmpty() && !t.startsWith("#"))
                .toList();
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "edge.api-token-file " + tls.tokenFile() + " cannot be read: " + e.getMessage(), e);
      }
      if (tokens.isEmpty()) {
        throw new IllegalArgumentException(
            "edge.api-token-file " + tls.tokenFile() + " holds no token (one per line)");
      }
    }
    SSLContext context =
        TlsMaterial.fromPem(
            Path.of(tls.certFile()),
            Path.of(tls.keyFile()),
            tls.clientCaFile().isEmpty() ? null : Path.of(tls.clientCaFile()));
    return ApiSecurity.of(context, !tls.clientCaFile().isEmpty(), tokens);
  }

  private <T extends AutoCloseable> T add(T part) {
    return parts.add(part);
  }

  private Map<String, Object> producerConfig() {
    Map<String, Object> props = new HashMap<>(config.kafkaClient()); // security; kedge's win
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "kedge-uplink-" + config.node());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    // Store-and-forward: a send waits for the broker rather than failing part of a batch, which
    // would force a resend of the parts that did go through (duplicates) or reorder events.
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 300_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
    props.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 5_000);
    return props;
  }

  private Map<String, Object> consumerConfig() {
    Map<String, Object> props = new HashMap<>(config.kafkaClient());
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "kedge-downlink-" + config.node());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // the cloud creates node topics with their policy; a broker that auto-creates topics must not
    // make one with its defaults because a node asked for it first
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    props.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 5_000);
    props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    return props;
  }

  private static RollCycle rollCycle(EdgeConfig.RollCycleChoice choice) {
    return switch (choice) {
      case FAST_HOURLY -> RollCycles.FAST_HOURLY;
      case FAST_DAILY -> RollCycles.FAST_DAILY;
      case WEEKLY -> RollCycles.WEEKLY;
    };
  }

  public int apiPort() {
    return api.port();
  }

  public View view() {
    return view;
  }

  public LinkState linkState() {
    return downlink.state();
  }

  public Downlink downlink() {
    return downlink;
  }

  /** Node-topic records that arrived invalid: skipped by the log's readers, dead-lettered. */
  public PoisonRecords poison() {
    return poison;
  }

  /** The durable queue of events for the cloud; what is appended here is forwarded. */
  public UplinkLog uplinkLog() {
    return uplinkLog;
  }

  /** The node's downlink log. */
  public DownlinkLog log() {
    return log;
  }

  /** Free space the node's queues leave on their file system. */
  public DiskReserve diskReserve() {
    return reserve;
  }

  /** Snapshots and deletion of old log cycles. */
  public LogRetention retention() {
    return retention;
  }

  public UplinkForwarder uplink() {
    return forwarder;
  }

  /** Edge API request counts. */
  public io.kedge.edge.api.http.ApiStats apiStats() {
    return api.stats();
  }

  /** What the edge API's clients hold, and what it refused. */
  public io.kedge.runtime.http.HttpBounds apiBounds() {
    return api.bounds();
  }

  /** Registers this node's metrics, tagged with its name. */
  public void bindMetrics(MeterRegistry registry) {
    EdgeMetrics.bind(this, config.node(), config.dataDir(), registry);
  }

  /** Null when ready, else why not: what {@code /readyz} answers. */
  public String unreadyReason() {
    return ready() ? null : "node " + config.node() + ": the view is still replaying the log";
  }

  public boolean ready() {
    return applier != null && applier.caughtUp();
  }

  @Override
  public void close() {
    parts.close();
  }
}
