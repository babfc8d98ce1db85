package io.kedge.mapper.opcua;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import io.kedge.schemas.twin.TwinContract.Reported;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaMonitoredItem;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaSubscription;
import org.eclipse.milo.opcua.stack.core.AttributeId;
import org.eclipse.milo.opcua.stack.core.OpcUaDataType;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.enumerated.TimestampsToReturn;
import org.eclipse.milo.opcua.stack.core.types.structured.ReadValueId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device on its server's shared {@link ServerSession}: reads its properties' DataTypes, then
 * samples them through monitored items in the session's subscription (or polls them, when
 * configured or when the server refuses an item); reports changed values and the device state on
 * the twin link; writes desired values converted to each node's DataType.
 */
final class DeviceSession implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceSession.class);

  private final DeviceSpec spec;
  private final ServerSession server;
  private final TwinLink twins;
  private final MapperStats stats;
  private final ScheduledExecutorService scheduler;
  private final boolean polling;
  private final Duration fullReportInterval;

  /** The latest good value of each property, reported again every fullReportInterval. */
  private final Map<String, Reported> latest = new ConcurrentHashMap<>();

  private final Map<String, OpcUaDataType> types = new ConcurrentHashMap<>();
  private final Map<String, String> lastReported = new ConcurrentHashMap<>();
  private final List<ScheduledFuture<?>> polls = new ArrayList<>();
  private final AtomicReference<String> reportedState = new AtomicReference<>("");
  private volatile boolean online;
  private volatile boolean closed;
  private OpcUaSubscription subscription;
  private List<OpcUaMonitoredItem> monitored = List.of();

  DeviceSession(
      DeviceSpec spec,
      ServerSession server,
      TwinLink twins,
      MapperStats stats,
      ScheduledExecutorService scheduler,
      boolean polling,
      Duration fullReportInterval) {
    this.spec = spec;
    this.server = server;
    this.twins = twins;
    this.stats = stats;
    this.scheduler = scheduler;
    this.polling = polling;
    this.fullReportInterval = fullReportInterval;
  }

  DeviceSpec spec() {
    return spec;
  }

  ServerSession server() {
    return server;
  }

  boolean online() {
    return online;
  }

  /** Samples again on the server's current session: after a connect, or a lost subscription. */
  void resample() {
    try {
      sample();
    } catch (Exception e) {
      LOG.warn("device {}: cannot subscribe: {}", spec.id(), ServerSession.describe(e));
    }
  }

  /** The server's session is down: the device is offline until it samples again. */
  void offline() {
    setOnline(false);
  }

  /** Reads the properties' DataTypes, then subscribes (or polls) and reports the state. */
  private synchronized void sample() throws UaException {
    OpcUaClient current = server.client();
    if (current == null || closed) {
      return;
    }
    readTypes(current);
    stopSampling();
    List<DeviceSpec.Property> readable =
        spec.properties().stream().filter(p -> types.containsKey(p.name())).toList();
    List<DeviceSpec.Property> toPoll = new ArrayList<>();
    if (polling) {
      toPoll.addAll(readable);
    } else if (!readable.isEmpty()) {
      toPoll.addAll(subscribe(current, readable));
    }
    toPoll.stream()
        .collect(Collectors.groupingBy(DeviceSpec.Property::collectCycle))
        .forEach(
            (cycle, properties) ->
                polls.add(
                    scheduler.scheduleWithFixedDelay(
                        () -> poll(properties), 0, cycle.toMillis(), TimeUnit.MILLISECONDS)));
    // each property's latest value again every reportCycle, or every full-report interval
    spec.properties().stream()
        .collect(
            Collectors.groupingBy(
                p -> p.reportCycle().isZero() ? fullReportInterval : p.reportCycle()))
        .forEach(
            (cycle, properties) ->
                polls.add(
                    scheduler.scheduleWithFixedDelay(
                        () -> reportAgain(properties),
                        cycle.toMillis(),
                        cycle.toMillis(),
                        TimeUnit.MILLISECONDS)));
    setOnline(true);
    twins.requestTwins(spec.id()); // desired values set while this mapper was away
  }

  /**
   * Each property's built-in type: its DataType when that is built in, else the type of the value
   * it holds (a subtype such as Duration or UtcTime). Milo's type-tree cache is not used: it is
   * rebuilt on session changes and can block a sampling thread then.
   */
  private void readTypes(OpcUaClient current) throws UaException {
    List<ReadValueId> reads = new ArrayList<>();
    for (DeviceSpec.Property p : spec.properties()) {
      NodeId node = NodeId.parse(p.nodeId());
      reads.add(new ReadValueId(node, AttributeId.DataType.uid(), null, QualifiedName.NULL_VALUE));
      reads.add(new ReadValueId(node, AttributeId.Value.uid(), null, QualifiedName.NULL_VALUE));
    }
    if (reads.isEmpty()) {
      return;
    }
    DataValue[] results = current.read(0.0, TimestampsToReturn.Neither, reads).getResults();
    for (int i = 0; i < spec.properties().size(); i++) {
      DeviceSpec.Property property = spec.properties().get(i);
      DataValue dataType = results[2 * i];
      DataValue value = results[2 * i + 1];
      OpcUaDataType type = null;
      if (dataType.statusCode().isGood()
          && dataType.value().value() instanceof NodeId id
          && OpcUaDataType.isBuiltin(id)) {
        type = OpcUaDataType.fromNodeId(id);
      } else if (value.statusCode().isGood()) {
        type = value.value().getDataType().orElse(null);
      }
      if (type == null) {
        types.remove(property.name());
        StatusCode status =
            dataType.statusCode().isGood() ? value.statusCode() : dataType.statusCode();
        report(
            property,
            Reported.failure(
                "node "
                    + property.nodeId()
                    + " cannot be read: "
                    + (status.isGood() ? "its DataType is not a built-in type" : status),
                property.twinType(),
                System.currentTimeMillis()));
      } else {
        types.put(property.name(), type);
      }
    }
  }

  /**
   * Creates monitored items in the server's subscription for this device's fastest cycle; returns
   * the properties the server refused, to be polled instead.
   */
  private List<DeviceSpec.Property> subscribe(
      OpcUaClient current, List<DeviceSpec.Property> properties) throws UaException {
    double fastest =
        properties.stream().mapToLong(p -> p.collectCycle().toMillis()).min().orElse(1000);
    List<OpcUaMonitoredItem> items = new ArrayList<>();
    for (DeviceSpec.Property property : properties) {
      OpcUaMonitoredItem item = OpcUaMonitoredItem.newDataItem(NodeId.parse(property.nodeId()));
      item.setSamplingInterval(property.collectCycle().toMillis());
      item.setQueueSize(uint(1));
      item.setDataValueListener((i, value) -> onValue(property, value));
      items.add(item);
    }
    // values are sampled every collectCycle; publishing four times as often keeps a change from
    // waiting up to a whole extra cycle on the server before it is sent
    subscription = server.monitor(current, Math.max(50.0, fastest / 4), items);
    monitored = items;
    List<DeviceSpec.Property> refused = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Optional<StatusCode> created = items.get(i).getCreateResult();
      if (created.isEmpty() || !created.get().isGood()) {
        refused.add(properties.get(i));
        LOG.warn(
            "device {}: property {} cannot be monitored ({}); polled instead",
            spec.id(),
            properties.get(i).name(),
            created.map(Object::toString).orElse("no result"));
      }
    }
    return refused;
  }

  private void poll(List<DeviceSpec.Property> properties) {
    OpcUaClient current = server.client();
    if (current == null || !online) {
      return;
    }
    try {
      List<DataValue> values =
          current.readValues(
              0.0,
              TimestampsToReturn.Source,
              properties.stream().map(p -> NodeId.parse(p.nodeId())).toList());
      for (int i = 0; i < values.size(); i++) {
        onValue(properties.get(i), values.get(i));
      }
    } catch (UaException e) {
      LOG.debug("device {}: poll failed: {}", spec.id(), e.getMessage());
    }
  }

  private void onValue(DeviceSpec.Property property, DataValue value) {
    stats.values.incrementAndGet();
    long at =
        value.sourceTime() != null && value.sourceTime().isValid()
            ? value.sourceTime().getJavaInstant().toEpochMilli()
            : System.currentTimeMillis();
    if (!value.statusCode().isGood()) {
      report(property, Reported.failure("OPC UA status " + value.statusCode(), type(property), at));
      return;
    }
    String text = ValueCodec.format(value.value().value());
    if (text != null) {
      report(property, Reported.value(text, type(property), at));
    }
  }

  /**
   * The latest values of {@code properties} again: the bridge writes only what the Device lacks.
   */
  private void reportAgain(List<DeviceSpec.Property> properties) {
    if (online) {
      for (DeviceSpec.Property property : properties) {
        Reported value = latest.get(property.name());
        if (value != null) {
          twins.report(spec.id(), property.name(), value);
        }
      }
    }
  }

  private void report(DeviceSpec.Property property, Reported value) {
    if (!value.failed()) {
      latest.put(property.name(), value);
    }
    String key = value.failed() ? "error:" + value.error() : "value:" + value.value();
    if (!key.equals(lastReported.put(property.name(), key))) {
      twins.report(spec.id(), property.name(), value);
    }
  }

  private String type(DeviceSpec.Property property) {
    if (!property.twinType().isEmpty()) {
      return property.twinType();
    }
    OpcUaDataType type = types.get(property.name());
    return type == null ? "string" : ValueCodec.twinType(type);
  }

  /** Writes desired values; every failure is reported in the twin, never silently dropped. */
  void write(Map<String, String> desired) {
    desired.forEach(this::writeOne);
  }

  private void writeOne(String name, String value) {
    Optional<DeviceSpec.Property> found = spec.property(name);
    if (found.isEmpty()) {
      LOG.warn("device {}: desired value for unknown property {} ignored", spec.id(), name);
      return;
    }
    DeviceSpec.Property property = found.get();
    long now = System.currentTimeMillis();
    if (property.readOnly()) {
      fail(
          property,
          "'" + value + "' not written: the property is ReadOnly in its DeviceModel",
          now);
      return;
    }
    OpcUaClient current = server.client();
    OpcUaDataType type = types.get(name);
    if (current == null || !online || type == null) {
      // the twin/get made after the next connect brings the value back
      LOG.info("device {}: {}={} waits for the connection", spec.id(), name, value);
      return;
    }
    Variant variant;
    try {
      variant = ValueCodec.parse(value, type);
    } catch (IllegalArgumentException e) {
      fail(property, "'" + value + "' not written: " + e.getMessage(), now);
      return;
    }
    try {
      NodeId node = NodeId.parse(property.nodeId());
      StatusCode status =
          current.writeValues(List.of(node), List.of(new DataValue(variant))).get(0);
      if (!status.isGood()) {
        fail(property, "'" + value + "' refused by the server: " + status, now);
        return;
      }
      stats.writes.incrementAndGet();
      LOG.info("device {}: wrote {}={} ({})", spec.id(), name, value, type);
      onValue(property, current.readValue(0.0, TimestampsToReturn.Source, node));
    } catch (UaException e) {
      fail(property, "'" + value + "' not written: " + e.getMessage(), now);
    }
  }

  private void fail(DeviceSpec.Property property, String error, long now) {
    stats.writeFailures.incrementAndGet();
    LOG.warn("device {}: property {}: {}", spec.id(), property.name(), error);
    twins.report(spec.id(), property.name(), Reported.failure(error, type(property), now));
    lastReported.remove(property.name()); // the next good value is reported again
  }

  /** Reports the state when it changes (the first failed connect reports offline). */
  private void setOnline(boolean now) {
    online = now;
    String state = now ? "online" : "offline";
    if (!state.equals(reportedState.getAndSet(state))) { // no lock: Milo's threads call this
      twins.state(spec.id(), state);
    }
  }

  private void stopSampling() {
    polls.forEach(p -> p.cancel(false));
    polls.clear();
    if (subscription != null) {
      server.unmonitor(subscription, monitored);
      subscription = null;
      monitored = List.of();
    }
  }

  /** Stops sampling; the mapper closes the server's session when this was its last device. */
  @Override
  public void close() {
    closed = true;
    synchronized (this) {
      stopSampling();
    }
    setOnline(false);
  }
}
