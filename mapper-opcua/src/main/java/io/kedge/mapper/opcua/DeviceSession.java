package io.kedge.mapper.opcua;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import io.kedge.schemas.twin.TwinContract.Reported;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.SessionActivityListener;
import org.eclipse.milo.opcua.sdk.client.UaSession;
import org.eclipse.milo.opcua.sdk.client.identity.AnonymousProvider;
import org.eclipse.milo.opcua.sdk.client.identity.CompositeProvider;
import org.eclipse.milo.opcua.sdk.client.identity.IdentityProvider;
import org.eclipse.milo.opcua.sdk.client.identity.UsernameProvider;
import org.eclipse.milo.opcua.sdk.client.identity.X509IdentityProvider;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaMonitoredItem;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaSubscription;
import org.eclipse.milo.opcua.stack.core.AttributeId;
import org.eclipse.milo.opcua.stack.core.OpcUaDataType;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.enumerated.TimestampsToReturn;
import org.eclipse.milo.opcua.stack.core.types.structured.EndpointDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.ReadValueId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device's OPC UA session: connects with the device's security and identity, retrying with
 * backoff; samples its properties through monitored items (or polls them, when configured or when
 * the server refuses an item); reports changed values and the device state on the twin link; writes
 * desired values converted to each node's DataType. Milo re-establishes a lost session by itself;
 * the subscription is then made again, since a restarted server has lost it.
 */
final class DeviceSession implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceSession.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);

  private final DeviceSpec spec;
  private final ClientIdentity identity;
  private final TwinLink twins;
  private final MapperStats stats;
  private final ScheduledExecutorService scheduler;
  private final Duration reconnectMax;
  private final boolean polling;
  private final Duration fullReportInterval;

  /** The latest good value of each property, reported again every fullReportInterval. */
  private final Map<String, Reported> latest = new ConcurrentHashMap<>();

  private final Map<String, OpcUaDataType> types = new ConcurrentHashMap<>();
  private final Map<String, String> lastReported = new ConcurrentHashMap<>();
  private final List<ScheduledFuture<?>> polls = new ArrayList<>();
  private volatile OpcUaClient client;
  private volatile boolean online;
  private volatile boolean closed;
  private final java.util.concurrent.atomic.AtomicReference<String> reportedState =
      new java.util.concurrent.atomic.AtomicReference<>("");
  private OpcUaSubscription subscription;
  private Duration backoff = FIRST_BACKOFF;
  private String lastError = "";

  DeviceSession(
      DeviceSpec spec,
      ClientIdentity identity,
      TwinLink twins,
      MapperStats stats,
      ScheduledExecutorService scheduler,
      Duration reconnectMax,
      boolean polling,
      Duration fullReportInterval) {
    this.spec = spec;
    this.identity = identity.forDevice(spec.endpoint());
    this.twins = twins;
    this.stats = stats;
    this.scheduler = scheduler;
    this.reconnectMax = reconnectMax;
    this.polling = polling;
    this.fullReportInterval = fullReportInterval;
  }

  DeviceSpec spec() {
    return spec;
  }

  boolean online() {
    return online;
  }

  DeviceSession start() {
    scheduler.execute(this::connect);
    return this;
  }

  private void connect() {
    if (closed) {
      return;
    }
    OpcUaClient next = null;
    try {
      next = createClient();
      next.addSessionActivityListener(new Activity());
      next.connect();
      client = next;
      stats.connects.incrementAndGet();
      backoff = FIRST_BACKOFF;
      lastError = "";
      LOG.info(
          "device {}: connected to {} ({}/{})",
          spec.id(),
          spec.endpoint().url(),
          spec.endpoint().securityPolicy(),
          spec.endpoint().securityMode());
      sample();
    } catch (Exception e) {
      if (next != null) {
        next.disconnectAsync();
      }
      client = null;
      setOnline(false);
      String error = describe(e);
      if (!error.equals(lastError)) {
        LOG.warn(
            "device {}: cannot connect to {}: {}; retrying with backoff up to {} s",
            spec.id(),
            spec.endpoint().url(),
            error,
            reconnectMax.toSeconds());
        lastError = error;
      }
      scheduler.schedule(this::connect, backoff.toMillis(), TimeUnit.MILLISECONDS);
      backoff =
          backoff.multipliedBy(2).compareTo(reconnectMax) > 0
              ? reconnectMax
              : backoff.multipliedBy(2);
    }
  }

  private OpcUaClient createClient() throws UaException {
    DeviceSpec.Endpoint endpoint = spec.endpoint();
    SecurityPolicy policy = securityPolicy(endpoint.securityPolicy());
    MessageSecurityMode mode = MessageSecurityMode.valueOf(endpoint.securityMode());
    List<String> offered = new ArrayList<>();
    return OpcUaClient.create(
        endpoint.url(),
        endpoints -> {
          endpoints.forEach(
              e ->
                  offered.add(
                      e.getSecurityPolicyUri().replaceAll(".*#", "") + "/" + e.getSecurityMode()));
          Optional<EndpointDescription> chosen =
              endpoints.stream()
                  .filter(e -> policy.getUri().equals(e.getSecurityPolicyUri()))
                  .filter(e -> e.getSecurityMode() == mode)
                  .findFirst();
          if (chosen.isEmpty()) {
            throw new IllegalStateException(
                "the server offers no endpoint with securityPolicy "
                    + endpoint.securityPolicy()
                    + " and securityMode "
                    + endpoint.securityMode()
                    + "; it offers "
                    + offered);
          }
          return chosen;
        },
        transport -> {},
        config ->
            config
                .setApplicationName(LocalizedText.english("kedge OPC UA mapper"))
                .setApplicationUri(applicationUri(identity.certificate()))
                .setProductUri("urn:kedge")
                .setKeyPair(identity.keyPair())
                .setCertificate(identity.certificate())
                .setCertificateChain(new X509Certificate[] {identity.certificate()})
                .setCertificateValidator(identity.serverValidator())
                .setIdentityProvider(identityProvider())
                .setRequestTimeout(uint(endpoint.timeout().toMillis())));
  }

  private IdentityProvider identityProvider() {
    DeviceSpec.Endpoint endpoint = spec.endpoint();
    if (!endpoint.userName().isEmpty()) {
      return new UsernameProvider(endpoint.userName(), password(endpoint.passwordFile()));
    }
    if (!endpoint.certificateFile().isEmpty()) {
      return new CompositeProvider(
          new X509IdentityProvider(identity.certificate(), identity.keyPair().getPrivate()),
          AnonymousProvider.INSTANCE);
    }
    return AnonymousProvider.INSTANCE;
  }

  private String password(String file) {
    if (file.isEmpty()) {
      throw new IllegalArgumentException(
          "device " + spec.id() + ": userName is set but password (a file path) is not");
    }
    try {
      return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "device " + spec.id() + ": password file " + file + " cannot be read: " + e, e);
    }
  }

  /** Reads the properties' DataTypes, then subscribes (or polls) and reports the state. */
  private synchronized void sample() throws UaException {
    OpcUaClient current = client;
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

  /** Creates monitored items; returns the properties the server refused, to be polled instead. */
  private List<DeviceSpec.Property> subscribe(
      OpcUaClient current, List<DeviceSpec.Property> properties) throws UaException {
    double fastest =
        properties.stream().mapToLong(p -> p.collectCycle().toMillis()).min().orElse(1000);
    // values are sampled every collectCycle; publishing four times as often keeps a change from
    // waiting up to a whole extra cycle on the server before it is sent
    subscription = new OpcUaSubscription(current, Math.max(50.0, fastest / 4));
    subscription.setSubscriptionListener(
        new OpcUaSubscription.SubscriptionListener() {
          @Override
          public void onTransferFailed(OpcUaSubscription failed, StatusCode status) {
            LOG.info("device {}: subscription lost ({}); subscribing again", spec.id(), status);
            scheduler.execute(DeviceSession.this::resample);
          }
        });
    subscription.create();
    List<OpcUaMonitoredItem> items = new ArrayList<>();
    for (DeviceSpec.Property property : properties) {
      OpcUaMonitoredItem item = OpcUaMonitoredItem.newDataItem(NodeId.parse(property.nodeId()));
      item.setSamplingInterval(property.collectCycle().toMillis());
      item.setQueueSize(uint(1));
      item.setDataValueListener((i, value) -> onValue(property, value));
      items.add(item);
    }
    subscription.addMonitoredItems(items);
    try {
      subscription.synchronizeMonitoredItems();
    } catch (Exception e) {
      LOG.warn("device {}: some monitored items failed: {}", spec.id(), e.toString());
    }
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

  private void resample() {
    try {
      sample();
    } catch (Exception e) {
      LOG.warn("device {}: cannot subscribe again: {}", spec.id(), describe(e));
    }
  }

  private void poll(List<DeviceSpec.Property> properties) {
    OpcUaClient current = client;
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
    OpcUaClient current = client;
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
      OpcUaSubscription old = subscription;
      subscription = null;
      old.deleteAsync(); // best effort: a restarted server has forgotten it anyway
    }
  }

  private final class Activity implements SessionActivityListener {
    private boolean activatedBefore;

    @Override
    public void onSessionActive(UaSession session) {
      if (activatedBefore) {
        LOG.info("device {}: session re-established", spec.id());
        scheduler.execute(DeviceSession.this::resample);
      }
      activatedBefore = true;
    }

    @Override
    public void onSessionInactive(UaSession session) {
      LOG.warn("device {}: session lost; Milo reconnects", spec.id());
      setOnline(false);
    }
  }

  private static SecurityPolicy securityPolicy(String name) {
    for (SecurityPolicy policy : SecurityPolicy.values()) {
      if (policy.getUri().endsWith("#" + name)) {
        return policy;
      }
    }
    throw new IllegalArgumentException("unknown securityPolicy " + name);
  }

  private static String applicationUri(X509Certificate certificate) {
    try {
      if (certificate.getSubjectAlternativeNames() != null) {
        for (List<?> name : certificate.getSubjectAlternativeNames()) {
          if (Integer.valueOf(6).equals(name.get(0))) {
            return name.get(1).toString();
          }
        }
      }
    } catch (java.security.cert.CertificateParsingException e) {
      LOG.debug("no subjectAltName URI: {}", e.toString());
    }
    return ClientIdentity.APPLICATION_URI;
  }

  private static String describe(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause == e ? e.toString() : e.getMessage() + " (" + cause + ")";
  }

  @Override
  public void close() {
    closed = true;
    OpcUaClient current = client;
    client = null;
    if (current != null) {
      try {
        // first: a sample blocked on this client fails now instead of holding the session
        current.disconnectAsync().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.debug("device {}: disconnect: {}", spec.id(), e.toString());
      }
    }
    synchronized (this) {
      stopSampling();
    }
    setOnline(false);
  }
}
