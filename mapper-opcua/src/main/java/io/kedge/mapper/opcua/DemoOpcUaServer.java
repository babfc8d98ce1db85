package io.kedge.mapper.opcua;

import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.runtime.net.FreePorts;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.milo.opcua.sdk.core.AccessLevel;
import org.eclipse.milo.opcua.sdk.core.Reference;
import org.eclipse.milo.opcua.sdk.server.EndpointConfig;
import org.eclipse.milo.opcua.sdk.server.ManagedNamespaceWithLifecycle;
import org.eclipse.milo.opcua.sdk.server.OpcUaServer;
import org.eclipse.milo.opcua.sdk.server.OpcUaServerConfig;
import org.eclipse.milo.opcua.sdk.server.identity.AnonymousIdentityValidator;
import org.eclipse.milo.opcua.sdk.server.identity.IdentityValidator;
import org.eclipse.milo.opcua.sdk.server.identity.UsernameIdentityValidator;
import org.eclipse.milo.opcua.sdk.server.items.DataItem;
import org.eclipse.milo.opcua.sdk.server.items.MonitoredItem;
import org.eclipse.milo.opcua.sdk.server.nodes.UaVariableNode;
import org.eclipse.milo.opcua.sdk.server.util.SubscriptionModel;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.security.CertificateStore;
import org.eclipse.milo.opcua.stack.core.security.CertificateValidator;
import org.eclipse.milo.opcua.stack.core.security.DefaultApplicationGroup;
import org.eclipse.milo.opcua.stack.core.security.DefaultCertificateManager;
import org.eclipse.milo.opcua.stack.core.security.DefaultServerCertificateValidator;
import org.eclipse.milo.opcua.stack.core.security.MemoryCertificateQuarantine;
import org.eclipse.milo.opcua.stack.core.security.MemoryCertificateStore;
import org.eclipse.milo.opcua.stack.core.security.MemoryTrustListManager;
import org.eclipse.milo.opcua.stack.core.security.RsaSha256CertificateFactory;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.transport.TransportProfile;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UByte;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UInteger;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.structured.UserTokenPolicy;
import org.eclipse.milo.opcua.stack.transport.server.tcp.OpcTcpServerTransport;
import org.eclipse.milo.opcua.stack.transport.server.tcp.OpcTcpServerTransportConfig;

/**
 * An OPC UA server with a small machine in it, for {@code kedge local --demo} and the mapper's
 * tests: variables of the common built-in types (read-write), a read-only {@code Temperature} that
 * drifts each second when simulated, and {@code ReadOnlyCounter}. Endpoints: None, and
 * Basic256Sha256 with Sign and SignAndEncrypt; anonymous or, when configured, username users only.
 */
public final class DemoOpcUaServer implements AutoCloseable {
  public static final String NAMESPACE_URI = "urn:kedge:demo";
  public static final String PATH = "/kedge";

  /** The demo's variables: browse name → initial value; the value's class is the DataType. */
  static final Map<String, Object> VARIABLES = variables();

  /**
   * How the server runs.
   *
   * @param userName empty: anonymous users; else only this user, with {@code password}
   * @param trustedClients client certificates accepted on secured channels; empty accepts any
   * @param simulate let Temperature change every second
   * @param bulkVariables this many more Double variables, {@code Bulk0} and on (for benchmarks)
   */
  public record Options(
      int port,
      String userName,
      String password,
      List<X509Certificate> trustedClients,
      boolean simulate,
      int bulkVariables) {
    public static Options anonymous(int port) {
      return new Options(port, "", "", List.of(), false, 0);
    }
  }

  private final OpcUaServer server;
  private final Machine machine;
  private final X509Certificate certificate;
  private final int port;
  private final ScheduledExecutorService simulation;

  private DemoOpcUaServer(
      OpcUaServer server,
      Machine machine,
      X509Certificate certificate,
      int port,
      boolean simulate) {
    this.server = server;
    this.machine = machine;
    this.certificate = certificate;
    this.port = port;
    this.simulation = simulate ? DaemonThreads.scheduled("kedge-demo-opcua") : null;
  }

  /** Starts the server on 127.0.0.1:{@code options.port()} (0: a free port). */
  public static DemoOpcUaServer start(Options options) throws Exception {
    int port = options.port() == 0 ? FreePorts.on("127.0.0.1") : options.port();
    KeyPair keyPair = ClientIdentity.rsaKeyPair();
    X509Certificate certificate =
        ClientIdentity.selfSigned(keyPair, "kedge demo OPC UA server", "urn:kedge:demo:server");
    MemoryCertificateStore store = new MemoryCertificateStore();
    store.set(
        NodeIds.RsaSha256ApplicationCertificateType,
        new CertificateStore.Entry(keyPair.getPrivate(), new X509Certificate[] {certificate}));
    MemoryTrustListManager trust = new MemoryTrustListManager();
    trust.setTrustedCertificates(options.trustedClients());
    CertificateValidator validator =
        options.trustedClients().isEmpty()
            ? new CertificateValidator.InsecureCertificateValidator()
            : new DefaultServerCertificateValidator(trust, new MemoryCertificateQuarantine());
    DefaultApplicationGroup group =
        DefaultApplicationGroup.createAndInitialize(
            trust,
            store,
            new RsaSha256CertificateFactory() {
              @Override
              protected X509Certificate[] createRsaSha256CertificateChain(KeyPair pair) {
                return new X509Certificate[] {certificate};
              }
            },
            validator);
    boolean users = !options.userName().isEmpty();
    UserTokenPolicy tokens =
        users
            ? OpcUaServerConfig.USER_TOKEN_POLICY_USERNAME
            : OpcUaServerConfig.USER_TOKEN_POLICY_ANONYMOUS;
    Set<EndpointConfig> endpoints = new LinkedHashSet<>();
    EndpointConfig.Builder base =
        EndpointConfig.newBuilder()
            .setBindAddress("127.0.0.1")
            .setHostname("127.0.0.1")
            .setBindPort(port)
            .setPath(PATH)
            .setCertificate(certificate)
            .setTransportProfile(TransportProfile.TCP_UASC_UABINARY)
            .addTokenPolicy(tokens);
    endpoints.add(
        base.copy()
            .setSecurityPolicy(SecurityPolicy.None)
            .setSecurityMode(MessageSecurityMode.None)
            .build());
    for (MessageSecurityMode mode :
        List.of(MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt)) {
      endpoints.add(
          base.copy()
              .setSecurityPolicy(SecurityPolicy.Basic256Sha256)
              .setSecurityMode(mode)
              .build());
    }
    IdentityValidator identities =
        users
            ? new UsernameIdentityValidator(
                challenge ->
                    options.userName().equals(challenge.getUsername())
                        && options.password().equals(challenge.getPassword()))
            : AnonymousIdentityValidator.INSTANCE;
    OpcUaServerConfig config =
        OpcUaServerConfig.builder()
            .setApplicationUri("urn:kedge:demo:server")
            .setApplicationName(LocalizedText.english("kedge demo OPC UA server"))
            .setProductUri("urn:kedge")
            .setEndpoints(endpoints)
            .setCertificateManager(
                new DefaultCertificateManager(new MemoryCertificateQuarantine(), group))
            .setIdentityValidator(identities)
            .build();
    OpcUaServer server =
        new OpcUaServer(
            config,
            profile -> new OpcTcpServerTransport(OpcTcpServerTransportConfig.newBuilder().build()));
    Machine machine = new Machine(server, options.bulkVariables());
    machine.startup();
    server.startup().get(30, TimeUnit.SECONDS);
    DemoOpcUaServer demo =
        new DemoOpcUaServer(server, machine, certificate, port, options.simulate());
    demo.simulate();
    return demo;
  }

  private void simulate() {
    if (simulation == null) {
      return;
    }
    long start = System.nanoTime();
    simulation.scheduleAtFixedRate(
        () -> {
          double t = (System.nanoTime() - start) / 1e9;
          set("Temperature", Math.round((21.0 + 2.0 * Math.sin(t / 30.0)) * 10.0) / 10.0);
        },
        1,
        1,
        TimeUnit.SECONDS);
  }

  /** {@code opc.tcp://127.0.0.1:port/kedge}. */
  public String url() {
    return "opc.tcp://127.0.0.1:" + port + PATH;
  }

  public int port() {
    return port;
  }

  /** The server's application certificate, for a mapper's mapper.trusted-servers. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** The NodeId text of a demo variable, e.g. {@code ns=2;s=Temperature}. */
  public String nodeId(String browseName) {
    return "ns=" + machine.getNamespaceIndex() + ";s=" + browseName;
  }

  /** Sets a variable's value as the machine would. */
  public void set(String browseName, Object value) {
    machine.node(browseName).setValue(new DataValue(new Variant(value)));
  }

  /** Client sessions open on the server now. */
  public int sessionCount() {
    return server.getSessionManager().getCurrentSessionCount().intValue();
  }

  /** A variable's current value. */
  public Object get(String browseName) {
    return machine.node(browseName).getValue().value().value();
  }

  @Override
  public void close() {
    if (simulation != null) {
      simulation.shutdownNow();
    }
    machine.shutdown();
    try {
      server.shutdown().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Map<String, Object> variables() {
    Map<String, Object> variables = new LinkedHashMap<>();
    variables.put("Temperature", 21.0);
    variables.put("ReadOnlyCounter", UInteger.valueOf(7));
    variables.put("Setpoint", 20);
    variables.put("Switch", false);
    variables.put("Speed", 1.5f);
    variables.put("Pressure", 1.0);
    variables.put("Level", UByte.valueOf(10));
    variables.put("Offset", (short) -3);
    variables.put("Count", UInteger.valueOf(0));
    variables.put("Total", 0L);
    variables.put("Label", "idle");
    variables.put("LastService", new DateTime(Instant.parse("2024-01-01T00:00:00Z")));
    return variables;
  }

  /** The demo namespace: its variables hang below the Objects folder. */
  private static final class Machine extends ManagedNamespaceWithLifecycle {
    private final SubscriptionModel subscriptions;
    private final Map<String, UaVariableNode> nodes = new LinkedHashMap<>();

    private final int bulk;

    Machine(OpcUaServer server, int bulk) {
      super(server, NAMESPACE_URI);
      this.bulk = bulk;
      subscriptions = new SubscriptionModel(server, this);
      getLifecycleManager().addLifecycle(subscriptions);
      getLifecycleManager().addStartupTask(this::addVariables);
    }

    private void addVariables() {
      Map<String, Object> all = new LinkedHashMap<>(VARIABLES);
      for (int i = 0; i < bulk; i++) {
        all.put("Bulk" + i, 0.0);
      }
      all.forEach(
          (name, initial) -> {
            boolean readOnly = name.equals("Temperature") || name.startsWith("ReadOnly");
            UaVariableNode node =
                new UaVariableNode.UaVariableNodeBuilder(getNodeContext())
                    .setNodeId(newNodeId(name))
                    .setAccessLevel(readOnly ? AccessLevel.READ_ONLY : AccessLevel.READ_WRITE)
                    .setUserAccessLevel(readOnly ? AccessLevel.READ_ONLY : AccessLevel.READ_WRITE)
                    .setBrowseName(newQualifiedName(name))
                    .setDisplayName(LocalizedText.english(name))
                    .setDataType(dataType(initial))
                    .setTypeDefinition(NodeIds.BaseDataVariableType)
                    .build();
            node.setValue(new DataValue(new Variant(initial)));
            node.addReference(
                new Reference(
                    node.getNodeId(),
                    NodeIds.HasComponent,
                    NodeIds.ObjectsFolder.expanded(),
                    Reference.Direction.INVERSE));
            getNodeManager().addNode(node);
            nodes.put(name, node);
          });
    }

    UaVariableNode node(String name) {
      UaVariableNode node = nodes.get(name);
      if (node == null) {
        throw new IllegalArgumentException("the demo server has no variable " + name);
      }
      return node;
    }

    private static NodeId dataType(Object value) {
      Map<Class<?>, NodeId> types =
          Map.of(
              Double.class, NodeIds.Double,
              Float.class, NodeIds.Float,
              Integer.class, NodeIds.Int32,
              Short.class, NodeIds.Int16,
              Long.class, NodeIds.Int64,
              Boolean.class, NodeIds.Boolean,
              String.class, NodeIds.String,
              UByte.class, NodeIds.Byte,
              UInteger.class, NodeIds.UInt32,
              DateTime.class, NodeIds.DateTime);
      NodeId type = types.get(value.getClass());
      if (type == null) {
        throw new IllegalArgumentException("no DataType for " + value.getClass());
      }
      return type;
    }

    @Override
    public void onDataItemsCreated(List<DataItem> items) {
      subscriptions.onDataItemsCreated(items);
    }

    @Override
    public void onDataItemsModified(List<DataItem> items) {
      subscriptions.onDataItemsModified(items);
    }

    @Override
    public void onDataItemsDeleted(List<DataItem> items) {
      subscriptions.onDataItemsDeleted(items);
    }

    @Override
    public void onMonitoringModeChanged(List<MonitoredItem> items) {
      subscriptions.onMonitoringModeChanged(items);
    }
  }
}
