package io.kedge.mapper.opcua;

import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.runtime.mqtt.Eventbus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OPC UA mapper: one {@link DeviceSession} per device its source names, speaking the MQTT twin
 * contract with the node's eventbus, on one {@link ServerSession} per server endpoint that its
 * devices share. Devices are followed as they are added, changed (the device's session is replaced)
 * and deleted; a server's session closes with its last device.
 */
public final class OpcUaMapper implements AutoCloseable, DeviceSource.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(OpcUaMapper.class);

  private final MapperConfig config;
  private final ClientIdentity identity;
  private final Eventbus eventbus;
  private final TwinLink twins;
  private final DeviceSource source;
  private final ScheduledExecutorService scheduler;
  private final MapperStats stats = new MapperStats();
  private final Map<String, DeviceSession> sessions = new ConcurrentHashMap<>();

  /** Guarded by itself: attaching and detaching devices decides when a server's session ends. */
  private final Map<DeviceSpec.Endpoint, ServerSession> servers = new HashMap<>();

  private final Map<String, String> rejected = new ConcurrentHashMap<>();

  private OpcUaMapper(MapperConfig config, DeviceSource source) {
    this.config = config;
    this.identity = ClientIdentity.load(config.pkiDir(), config.trustedServers());
    if (identity.trustsAnyServer()) {
      LOG.warn("mapper.trusted-servers is not set: secured channels accept any server certificate");
    }
    this.eventbus = new Eventbus(config.mqttUrl(), "kedge-mapper-opcua-" + config.node());
    this.twins = new TwinLink(eventbus, Clock.systemUTC());
    this.source = source;
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    this.scheduler = DaemonThreads.scheduled("kedge-mapper-opcua", threads);
  }

  /** Starts the mapper with the source its configuration names. */
  public static OpcUaMapper start(MapperConfig config) {
    DeviceSource source =
        config.deviceProfile().isEmpty()
            ? new KubeDeviceSource(config)
            : new ProfileDeviceSource(Path.of(config.deviceProfile()));
    return start(config, source);
  }

  public static OpcUaMapper start(MapperConfig config, DeviceSource source) {
    OpcUaMapper mapper = new OpcUaMapper(config, source);
    try {
      mapper.eventbus.start();
      mapper.twins.start(mapper::desired);
      source.start(mapper);
      LOG.info(
          "OPC UA mapper for node {}: devices from {}, twins on {}",
          config.node(),
          config.deviceProfile().isEmpty() ? config.edgeApi() : config.deviceProfile(),
          config.mqttUrl());
      return mapper;
    } catch (RuntimeException e) {
      mapper.close();
      throw e;
    }
  }

  @Override
  public void upsert(DeviceSpec device) {
    rejected.remove(device.id());
    DeviceSession current = sessions.get(device.id());
    if (current != null && current.spec().equals(device)) {
      return;
    }
    DeviceSession next;
    synchronized (servers) {
      ServerSession server =
          servers.computeIfAbsent(
              device.endpoint(),
              endpoint ->
                  new ServerSession(endpoint, identity, stats, scheduler, config.reconnectMax()));
      next =
          new DeviceSession(
              device,
              server,
              twins,
              stats,
              scheduler,
              config.polling(),
              config.fullReportInterval());
      server.attach(next);
    }
    DeviceSession old = sessions.put(device.id(), next);
    if (old != null) {
      LOG.info("device {} changed; it samples again", device.id());
      detach(old);
    }
  }

  /** Stops the device, and its server's session when no other device uses it. */
  private void detach(DeviceSession device) {
    ServerSession server = device.server();
    boolean last;
    synchronized (servers) {
      last = server.detach(device) && servers.remove(device.spec().endpoint(), server);
    }
    scheduler.execute(
        () -> {
          device.close();
          if (last) {
            server.close();
          }
        });
  }

  @Override
  public void remove(String deviceId) {
    DeviceSession old = sessions.remove(deviceId);
    if (old != null) {
      LOG.info("device {} removed", deviceId);
      detach(old);
    }
  }

  @Override
  public void rejected(String deviceId, String reason) {
    stats.rejectedDevices.incrementAndGet();
    rejected.put(deviceId, reason);
    remove(deviceId);
    LOG.error("device {} not served: {}", deviceId, reason);
  }

  private void desired(String deviceId, Map<String, String> values) {
    DeviceSession session = sessions.get(deviceId);
    if (session != null) {
      scheduler.execute(() -> session.write(values)); // writes block: off the MQTT thread
    }
  }

  /** Devices served, and how many are online (their server's session is up and sampling). */
  public int deviceCount() {
    return sessions.size();
  }

  public int onlineCount() {
    return (int) sessions.values().stream().filter(DeviceSession::online).count();
  }

  /** OPC UA sessions open (one per server endpoint in use), and how many are connected. */
  public int sessionCount() {
    synchronized (servers) {
      return servers.size();
    }
  }

  public int connectedSessionCount() {
    synchronized (servers) {
      return (int) servers.values().stream().filter(ServerSession::connected).count();
    }
  }

  /** Why each rejected device is not served. */
  public Map<String, String> rejectedDevices() {
    return Map.copyOf(rejected);
  }

  public long writeCount() {
    return stats.writes.get();
  }

  public long writeFailureCount() {
    return stats.writeFailures.get();
  }

  /** Null when ready (the eventbus is connected), else why not: what {@code /readyz} answers. */
  public String unreadyReason() {
    return twins.connected() ? null : "the mapper is not connected to " + config.mqttUrl();
  }

  public void bindMetrics(MeterRegistry registry) {
    Gauge.builder("kedge_opcua_devices", this, OpcUaMapper::deviceCount)
        .description("OPC UA devices served")
        .register(registry);
    Gauge.builder("kedge_opcua_devices_online", this, OpcUaMapper::onlineCount)
        .description("OPC UA devices online (their server's session up and sampling)")
        .register(registry);
    Gauge.builder("kedge_opcua_sessions", this, OpcUaMapper::sessionCount)
        .description("OPC UA sessions open: one per server endpoint, shared by its devices")
        .register(registry);
    Gauge.builder("kedge_opcua_sessions_online", this, OpcUaMapper::connectedSessionCount)
        .description("OPC UA sessions connected")
        .register(registry);
    counter(registry, "connects", "OPC UA sessions established", m -> m.stats.connects.get());
    counter(registry, "values", "Values received from OPC UA servers", m -> m.stats.values.get());
    counter(
        registry, "writes", "Desired values written to OPC UA nodes", m -> m.stats.writes.get());
    counter(
        registry,
        "write_failures",
        "Desired values not written (reported in the twin)",
        m -> m.stats.writeFailures.get());
    counter(
        registry,
        "rejected_devices",
        "Devices not served because of invalid specs",
        m -> m.stats.rejectedDevices.get());
    counter(registry, "twin_messages", "Twin messages published", m -> m.twins.publishedCount());
  }

  private void counter(
      MeterRegistry registry, String name, String description, ToDoubleFunction<OpcUaMapper> f) {
    FunctionCounter.builder("kedge_opcua_" + name + "_total", this, f)
        .description(description)
        .register(registry);
  }

  @Override
  public void close() {
    source.close();
    // the sessions first: their devices then have no monitored items to delete one by one
    synchronized (servers) {
      servers.values().forEach(ServerSession::close);
      servers.clear();
    }
    sessions.values().forEach(DeviceSession::close);
    sessions.clear();
    twins.close();
    eventbus.close();
    scheduler.shutdownNow();
  }
}
