package io.kedge.mapper.opcua;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.structured.EndpointDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OPC UA session to one server endpoint (URL, security, identity), shared by every device the
 * mapper serves there. Their monitored items live in shared subscriptions, one per publishing
 * interval, so a server holding 100 devices answers one publish request per interval instead of
 * 100. Connects with the endpoint's security and identity, retrying with backoff; Milo
 * re-establishes a lost session by itself, and the devices then sample again, since a restarted
 * server has lost the subscriptions.
 */
final class ServerSession implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServerSession.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);

  private final DeviceSpec.Endpoint endpoint;
  private final ClientIdentity identity;
  private final MapperStats stats;
  private final ScheduledExecutorService scheduler;
  private final Duration reconnectMax;
  private final Set<DeviceSession> devices = ConcurrentHashMap.newKeySet();

  /** Guarded by this; emptied when the session is re-established. */
  private final Map<Double, OpcUaSubscription> subscriptions = new HashMap<>();

  private volatile OpcUaClient client;
  private volatile boolean connected;
  private volatile boolean closed;
  private boolean started;
  private Duration backoff = FIRST_BACKOFF;
  private String lastError = "";

  ServerSession(
      DeviceSpec.Endpoint endpoint,
      ClientIdentity identity,
      MapperStats stats,
      ScheduledExecutorService scheduler,
      Duration reconnectMax) {
    this.endpoint = endpoint;
    this.identity = identity.forEndpoint(endpoint);
    this.stats = stats;
    this.scheduler = scheduler;
    this.reconnectMax = reconnectMax;
  }

  /** Serves the device on this session: it samples as soon as the session is up. */
  void attach(DeviceSession device) {
    devices.add(device);
    boolean connect;
    synchronized (this) {
      connect = !started;
      started = true;
    }
    if (connect) {
      scheduler.execute(this::connect);
    } else if (connected) {
      scheduler.execute(device::resample);
    }
  }

  /** Stops serving the device; true when it was the last one, and the session can be closed. */
  boolean detach(DeviceSession device) {
    devices.remove(device);
    return devices.isEmpty();
  }

  int deviceCount() {
    return devices.size();
  }

  boolean connected() {
    return connected;
  }

  /** The connected client, or null while the session is down. */
  OpcUaClient client() {
    return connected ? client : null;
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
      if (closed) {
        next.disconnectAsync();
        return;
      }
      client = next;
      connected = true;
      stats.connects.incrementAndGet();
      backoff = FIRST_BACKOFF;
      lastError = "";
      LOG.info(
          "connected to {} ({}/{}) for {} device(s)",
          endpoint.url(),
          endpoint.securityPolicy(),
          endpoint.securityMode(),
          devices.size());
      devices.forEach(device -> scheduler.execute(device::resample));
    } catch (Exception e) {
      if (next != null) {
        next.disconnectAsync();
      }
      client = null;
      connected = false;
      devices.forEach(DeviceSession::offline);
      String error = describe(e);
      if (!error.equals(lastError)) {
        LOG.warn(
            "cannot connect to {} for device(s) {}: {}; retrying with backoff up to {} s",
            endpoint.url(),
            deviceIds(),
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

  /**
   * Creates the items in the subscription that publishes every {@code interval} ms (made on first
   * use) and returns it; each item's create result says whether the server took it.
   */
  synchronized OpcUaSubscription monitor(
      OpcUaClient current, double interval, List<OpcUaMonitoredItem> items) throws UaException {
    OpcUaSubscription subscription = subscriptions.get(interval);
    if (subscription == null || subscription.getClient() != current) {
      subscription = new OpcUaSubscription(current, interval);
      subscription.setSubscriptionListener(new Lost());
      subscription.create();
      subscriptions.put(interval, subscription);
    }
    subscription.addMonitoredItems(items);
    try {
      subscription.synchronizeMonitoredItems();
    } catch (Exception e) {
      LOG.warn("{}: some monitored items failed: {}", endpoint.url(), e.toString());
    }
    return subscription;
  }

  /** Deletes the items; the subscription too when it holds no more. Best effort when offline. */
  synchronized void unmonitor(OpcUaSubscription subscription, List<OpcUaMonitoredItem> items) {
    if (subscriptions.get(subscription.getPublishingInterval()) != subscription) {
      return; // a past session's: the server has forgotten it
    }
    subscription.removeMonitoredItems(items);
    if (subscription.getMonitoredItems().isEmpty()) {
      subscriptions.remove(subscription.getPublishingInterval());
      subscription.deleteAsync();
    } else if (connected) {
      try {
        subscription.synchronizeMonitoredItems();
      } catch (Exception e) {
        LOG.debug("{}: deleting monitored items: {}", endpoint.url(), e.toString());
      }
    }
  }

  /** Forgets the subscriptions (best effort delete) and has every device sample again. */
  private void resampleAll(String why) {
    synchronized (this) {
      subscriptions.values().forEach(OpcUaSubscription::deleteAsync);
      subscriptions.clear();
    }
    LOG.info("{}: {}; {} device(s) subscribe again", endpoint.url(), why, devices.size());
    devices.forEach(device -> scheduler.execute(device::resample));
  }

  private OpcUaClient createClient() throws UaException {
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
          "device(s) " + deviceIds() + ": userName is set but password (a file path) is not");
    }
    try {
      return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "device(s) " + deviceIds() + ": password file " + file + " cannot be read: " + e, e);
    }
  }

  private List<String> deviceIds() {
    return devices.stream().map(d -> d.spec().id()).sorted().toList();
  }

  /** A subscription the server dropped (its session was replaced): its devices subscribe again. */
  private final class Lost implements OpcUaSubscription.SubscriptionListener {
    @Override
    public void onTransferFailed(OpcUaSubscription failed, StatusCode status) {
      scheduler.execute(() -> resampleAll("a subscription was lost (" + status + ")"));
    }
  }

  private final class Activity implements SessionActivityListener {
    private boolean activatedBefore;

    @Override
    public void onSessionActive(UaSession session) {
      connected = client != null;
      if (activatedBefore) {
        scheduler.execute(() -> resampleAll("session re-established"));
      }
      activatedBefore = true;
    }

    @Override
    public void onSessionInactive(UaSession session) {
      LOG.warn("{}: session lost; Milo reconnects", endpoint.url());
      connected = false;
      devices.forEach(DeviceSession::offline);
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

  static String describe(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause == e ? e.toString() : e.getMessage() + " (" + cause + ")";
  }

  @Override
  public void close() {
    closed = true;
    connected = false;
    OpcUaClient current = client;
    client = null;
    if (current != null) {
      try {
        current.disconnectAsync().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.debug("{}: disconnect: {}", endpoint.url(), e.toString());
      }
    }
    synchronized (this) {
      subscriptions.clear();
    }
  }
}
