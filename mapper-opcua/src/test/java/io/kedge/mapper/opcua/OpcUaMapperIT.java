package io.kedge.mapper.opcua;

import static org.assertj.core.api.Assertions.assertThat;

import io.kedge.runtime.tls.TlsMaterial;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UByte;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mapper against a real in-process Milo server and a real MQTT broker: monitored items and
 * reporting, typed writes and their errors, reconnect after a server restart, Basic256Sha256
 * SignAndEncrypt with certificates both ways, username authentication.
 */
class OpcUaMapperIT {
  @TempDir Path dir;

  /** Devices given directly, as a source would name them. */
  static final class StaticDevices implements DeviceSource {
    private final List<DeviceSpec> devices;

    StaticDevices(DeviceSpec... devices) {
      this.devices = List.of(devices);
    }

    @Override
    public void start(Listener listener) {
      devices.forEach(listener::upsert);
    }

    @Override
    public void close() {}
  }

  /** Devices added and removed by the test, as a source following Devices would. */
  static final class ChangingDevices implements DeviceSource {
    private volatile Listener listener;

    @Override
    public void start(Listener listener) {
      this.listener = listener;
    }

    void upsert(DeviceSpec device) {
      listener.upsert(device);
    }

    void remove(String id) {
      listener.remove(id);
    }

    @Override
    public void close() {}
  }

  private static MapperConfig config(
      String mqtt, String pkiDir, String trustedServers, boolean polling) {
    return config(mqtt, pkiDir, trustedServers, polling, Duration.ofSeconds(2));
  }

  /**
   * A desired value for each variable of the test servers, by name, in the twin's text: each
   * converts only to that variable's DataType.
   */
  static Map<String, String> typedDesiredValues() {
    Map<String, String> desired = new LinkedHashMap<>();
    desired.put("Setpoint", "42"); // Int32
    desired.put("Switch", "true"); // Boolean
    desired.put("Speed", "2.25"); // Float
    desired.put("Pressure", "1.75"); // Double
    desired.put("Level", "200"); // Byte
    desired.put("Offset", "-7"); // Int16
    desired.put("Count", "4000000000"); // UInt32
    desired.put("Total", "9000000000"); // Int64
    desired.put("Label", "running"); // String
    desired.put("LastService", "2025-06-01T10:00:00Z"); // DateTime
    return desired;
  }

  static MapperConfig config(
      String mqtt, String pkiDir, String trustedServers, boolean polling, Duration fullReport) {
    return new MapperConfig(
        "edge-1",
        "http://127.0.0.1:1",
        "",
        "",
        "",
        mqtt,
        pkiDir,
        trustedServers,
        polling,
        Duration.ofSeconds(1),
        fullReport);
  }

  private static DeviceSpec machine(
      DemoOpcUaServer server, String id, DeviceSpec.Endpoint endpoint) {
    return device(
        id, endpoint, DemoOpcUaServer.VARIABLES.keySet(), server::nodeId, Set.of("Temperature"));
  }

  /**
   * A device with a property for each variable, sampled every 100 ms, Temperature typed double in
   * its DeviceModel, those in {@code readOnly} ReadOnly.
   */
  static DeviceSpec device(
      String id,
      DeviceSpec.Endpoint endpoint,
      Collection<String> variables,
      Function<String, String> nodeId,
      Set<String> readOnly) {
    List<DeviceSpec.Property> properties = new ArrayList<>();
    for (String name : variables) {
      properties.add(
          new DeviceSpec.Property(
              name,
              nodeId.apply(name),
              Duration.ofMillis(100),
              name.equals("Temperature") ? "double" : "",
              readOnly.contains(name)));
    }
    return new DeviceSpec(id, "default", endpoint, List.copyOf(properties));
  }

  private static DeviceSpec.Endpoint plain(DemoOpcUaServer server) {
    return new DeviceSpec.Endpoint(
        server.url(), "None", "None", "", "", "", "", Duration.ofSeconds(5));
  }

  @Test
  void reportsValuesAndWritesTypedDesiredValues() throws Exception {
    try (DemoOpcUaServer server = DemoOpcUaServer.start(DemoOpcUaServer.Options.anonymous(0));
        TwinWatcher edge = new TwinWatcher(dir);
        OpcUaMapper mapper =
            OpcUaMapper.start(
                config(edge.url(), "", "", false),
                new StaticDevices(machine(server, "press-1", plain(server))))) {
      edge.awaitState("press-1", "online");
      edge.awaitValue("press-1", "Temperature", "21"); // 21.0 as a plain decimal
      assertThat(edge.reported("press-1", "Temperature").get().type()).isEqualTo("double");
      edge.awaitValue("press-1", "Speed", "1.5");
      assertThat(edge.reported("press-1", "Setpoint").get().type()).isEqualTo("int");

      // a value change on the server -> a report, as a plain decimal
      server.set("Temperature", 25.5);
      edge.awaitValue("press-1", "Temperature", "25.5");
      server.set("Temperature", 1e-7);
      edge.awaitValue("press-1", "Temperature", "0.0000001");

      // desired values are converted to each node's DataType
      Map<String, String> desired = typedDesiredValues();
      edge.delta("press-1", desired);
      Awaitility.await("all written")
          .atMost(Duration.ofSeconds(30))
          .until(() -> mapper.writeCount() >= desired.size());
      assertThat(server.get("Setpoint")).isEqualTo(42);
      assertThat(server.get("Switch")).isEqualTo(true);
      assertThat(server.get("Speed")).isEqualTo(2.25f);
      assertThat(server.get("Pressure")).isEqualTo(1.75);
      assertThat(server.get("Level")).isEqualTo(UByte.valueOf(200));
      assertThat(server.get("Offset")).isEqualTo((short) -7);
      assertThat(server.get("Count")).isEqualTo(UInteger.valueOf(4_000_000_000L));
      assertThat(server.get("Total")).isEqualTo(9_000_000_000L);
      assertThat(server.get("Label")).isEqualTo("running");
      assertThat(((DateTime) server.get("LastService")).getJavaInstant())
          .isEqualTo(Instant.parse("2025-06-01T10:00:00Z"));
      edge.awaitValue("press-1", "Setpoint", "42");
      edge.awaitValue("press-1", "LastService", "2025-06-01T10:00:00Z");

      // impossible conversions and read-only properties: a clear error in the twin, no write
      edge.delta(
          "press-1",
          Map.of("Setpoint", "warm", "Level", "300", "Temperature", "30", "ReadOnlyCounter", "1"));
      Awaitility.await("four failures")
          .atMost(Duration.ofSeconds(30))
          .until(() -> mapper.writeFailureCount() >= 4);
      assertThat(edge.reportedError("press-1", "Setpoint")).contains("'warm'", "Int32");
      assertThat(edge.reportedError("press-1", "Level")).contains("'300'", "0 to 255");
      assertThat(edge.reportedError("press-1", "Temperature")).contains("ReadOnly");
      assertThat(edge.reportedError("press-1", "ReadOnlyCounter"))
          .contains("refused by the server", "Bad_");
      assertThat(server.get("Setpoint")).isEqualTo(42);
      assertThat(server.get("ReadOnlyCounter")).isEqualTo(UInteger.valueOf(7));
      // a good value afterwards is reported again, and clears the error
      edge.delta("press-1", Map.of("Setpoint", "43"));
      edge.awaitValue("press-1", "Setpoint", "43");
      assertThat(edge.reportedError("press-1", "Setpoint")).isEmpty();
    }
  }

  @Test
  void devicesOnOneServerShareOneSessionUntilTheLastIsRemoved() throws Exception {
    ChangingDevices devices = new ChangingDevices();
    try (DemoOpcUaServer server = DemoOpcUaServer.start(DemoOpcUaServer.Options.anonymous(0));
        TwinWatcher edge = new TwinWatcher(dir);
        OpcUaMapper mapper = OpcUaMapper.start(config(edge.url(), "", "", false), devices)) {
      devices.upsert(machine(server, "line-1", plain(server)));
      edge.awaitValue("line-1", "Temperature", "21");
      devices.upsert(machine(server, "line-2", plain(server)));
      edge.awaitValue("line-2", "Temperature", "21");
      assertThat(server.sessionCount()).isEqualTo(1);
      assertThat(mapper.sessionCount()).isEqualTo(1);

      server.set("Temperature", 23.5);
      edge.awaitValue("line-1", "Temperature", "23.5");
      edge.awaitValue("line-2", "Temperature", "23.5");

      // one device leaves: the other keeps its items in the shared subscription
      devices.remove("line-1");
      edge.awaitState("line-1", "offline");
      server.set("Temperature", 24.5);
      edge.awaitValue("line-2", "Temperature", "24.5");
      assertThat(edge.reportedValue("line-1", "Temperature")).isEqualTo("23.5");
      assertThat(server.sessionCount()).isEqualTo(1);

      // a changed device samples again on the same session
      DeviceSpec slower = machine(server, "line-2", plain(server));
      List<DeviceSpec.Property> properties = new ArrayList<>();
      for (DeviceSpec.Property p : slower.properties()) {
        properties.add(
            new DeviceSpec.Property(
                p.name(), p.nodeId(), Duration.ofMillis(200), p.twinType(), p.readOnly()));
      }
      devices.upsert(new DeviceSpec("line-2", "default", plain(server), properties));
      server.set("Temperature", 25.5);
      edge.awaitValue("line-2", "Temperature", "25.5");
      assertThat(server.sessionCount()).isEqualTo(1);

      // the last device leaves: the session is closed
      devices.remove("line-2");
      Awaitility.await("the session closed on the server")
          .atMost(Duration.ofSeconds(15))
          .until(() -> server.sessionCount() == 0);
      assertThat(mapper.sessionCount()).isZero();
    }
  }

  @Test
  void reconnectsAndSubscribesAgainAfterAServerRestart() throws Exception {
    DemoOpcUaServer first = DemoOpcUaServer.start(DemoOpcUaServer.Options.anonymous(0));
    int port = first.port();
    try (TwinWatcher edge = new TwinWatcher(dir);
        OpcUaMapper mapper =
            OpcUaMapper.start(
                config(edge.url(), "", "", false),
                new StaticDevices(machine(first, "press-2", plain(first))))) {
      edge.awaitValue("press-2", "Temperature", "21");
      first.close();
      edge.awaitState("press-2", "offline");
      try (DemoOpcUaServer second =
          DemoOpcUaServer.start(DemoOpcUaServer.Options.anonymous(port))) {
        edge.awaitState("press-2", "online");
        second.set("Temperature", 30.25);
        edge.awaitValue("press-2", "Temperature", "30.25");
        assertThat(mapper.onlineCount()).isEqualTo(1);
      }
    } finally {
      first.close();
    }
  }

  @Test
  void reportsEveryValueAgainEachFullReportInterval() throws Exception {
    try (DemoOpcUaServer server = DemoOpcUaServer.start(DemoOpcUaServer.Options.anonymous(0));
        TwinWatcher edge = new TwinWatcher(dir);
        OpcUaMapper mapper =
            OpcUaMapper.start(
                config(edge.url(), "", "", false),
                new StaticDevices(machine(server, "press-4", plain(server))))) {
      edge.awaitValue("press-4", "Label", "idle");
      long before = edge.count(io.kedge.schemas.twin.TwinContract.twinUpdate("press-4"));
      // nothing changes on the server, yet the values come again (every 2 s in this config)
      Awaitility.await("a full report")
          .atMost(Duration.ofSeconds(15))
          .until(
              () -> edge.count(io.kedge.schemas.twin.TwinContract.twinUpdate("press-4")) > before);
      assertThat(edge.reportedValue("press-4", "Label")).isEqualTo("idle");
      assertThat(mapper.onlineCount()).isEqualTo(1);
    }
  }

  @Test
  void aPropertysReportCycleReportsItAgainOnItsOwnCadence() throws Exception {
    try (DemoOpcUaServer server = DemoOpcUaServer.start(DemoOpcUaServer.Options.anonymous(0));
        TwinWatcher edge = new TwinWatcher(dir)) {
      List<DeviceSpec.Property> properties = new ArrayList<>();
      for (DeviceSpec.Property p : machine(server, "press-5", plain(server)).properties()) {
        properties.add(
            new DeviceSpec.Property(
                p.name(),
                p.nodeId(),
                p.collectCycle(),
                p.twinType(),
                p.readOnly(),
                p.name().equals("Label") ? Duration.ofSeconds(1) : Duration.ZERO));
      }
      DeviceSpec device = new DeviceSpec("press-5", "default", plain(server), properties);
      try (OpcUaMapper mapper =
          OpcUaMapper.start(
              config(edge.url(), "", "", false, Duration.ofMinutes(10)),
              new StaticDevices(device))) {
        edge.awaitValue("press-5", "Label", "idle");
        String topic = io.kedge.schemas.twin.TwinContract.twinUpdate("press-5");
        long before = edge.count(topic);
        // nothing changes and the full report is 10 minutes away: Label's 1 s reportCycle reports
        Awaitility.await("Label reported again on its own cycle")
            .atMost(Duration.ofSeconds(10))
            .until(() -> edge.count(topic) >= before + 2);
        assertThat(edge.reportedValue("press-5", "Label")).isEqualTo("idle");
        assertThat(mapper.onlineCount()).isEqualTo(1);
      }
    }
  }

  @Test
  void pollsWhenConfiguredTo() throws Exception {
    try (DemoOpcUaServer server = DemoOpcUaServer.start(DemoOpcUaServer.Options.anonymous(0));
        TwinWatcher edge = new TwinWatcher(dir);
        OpcUaMapper mapper =
            OpcUaMapper.start(
                config(edge.url(), "", "", true),
                new StaticDevices(machine(server, "press-3", plain(server))))) {
      edge.awaitValue("press-3", "Temperature", "21");
      server.set("Temperature", 22.5);
      edge.awaitValue("press-3", "Temperature", "22.5");
      // polling reports changes only: the value is read every 100 ms but sent once
      Awaitility.await("no repeated reports")
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(3))
          .until(() -> edge.reportedValue("press-3", "Temperature").equals("22.5"));
      assertThat(mapper.onlineCount()).isEqualTo(1);
    }
  }

  @Test
  void basic256Sha256SignAndEncryptWithCertificatesBothWays() throws Exception {
    Path pki = dir.resolve("pki");
    // the mapper's identity, created on first use; the server trusts exactly it
    ClientIdentity.load(pki.toString(), "");
    var mapperCertificate = TlsMaterial.readCertificates(pki.resolve("client.pem")).get(0);
    try (DemoOpcUaServer server =
            DemoOpcUaServer.start(
                new DemoOpcUaServer.Options(0, "", "", List.of(mapperCertificate), false, 0));
        TwinWatcher edge = new TwinWatcher(dir)) {
      Path trusted = dir.resolve("server.pem");
      Files.writeString(
          trusted,
          TlsMaterial.toPem("CERTIFICATE", server.certificate().getEncoded()),
          StandardCharsets.US_ASCII);
      DeviceSpec.Endpoint secure =
          new DeviceSpec.Endpoint(
              server.url(),
              "Basic256Sha256",
              "SignAndEncrypt",
              "",
              "",
              "",
              "",
              Duration.ofSeconds(5));
      try (OpcUaMapper mapper =
          OpcUaMapper.start(
              config(edge.url(), pki.toString(), trusted.toString(), false),
              new StaticDevices(machine(server, "secure-1", secure)))) {
        edge.awaitValue("secure-1", "Temperature", "21");
        edge.delta("secure-1", Map.of("Setpoint", "7"));
        Awaitility.await("written over the encrypted channel")
            .atMost(Duration.ofSeconds(30))
            .until(() -> Integer.valueOf(7).equals(server.get("Setpoint")));
      }
      // another client identity is not trusted by the server: no session, device offline
      try (OpcUaMapper stranger =
          OpcUaMapper.start(
              config(edge.url(), dir.resolve("other-pki").toString(), trusted.toString(), false),
              new StaticDevices(machine(server, "secure-2", secure)))) {
        edge.awaitState("secure-2", "offline");
        Awaitility.await("never online")
            .during(Duration.ofSeconds(2))
            .atMost(Duration.ofSeconds(5))
            .until(() -> stranger.onlineCount() == 0);
        assertThat(edge.reportedValue("secure-2", "Temperature")).isEmpty();
      }
    }
  }

  @Test
  void usernameAuthenticationWithThePasswordFromAFile() throws Exception {
    Path password = dir.resolve("password");
    Files.writeString(password, "s3cret\n");
    Path wrong = dir.resolve("wrong");
    Files.writeString(wrong, "guess\n");
    try (DemoOpcUaServer server =
            DemoOpcUaServer.start(
                new DemoOpcUaServer.Options(0, "operator", "s3cret", List.of(), false, 0));
        TwinWatcher edge = new TwinWatcher(dir);
        OpcUaMapper mapper =
            OpcUaMapper.start(
                config(edge.url(), "", "", false),
                new StaticDevices(
                    machine(
                        server,
                        "locked-1",
                        new DeviceSpec.Endpoint(
                            server.url(),
                            "None",
                            "None",
                            "operator",
                            password.toString(),
                            "",
                            "",
                            Duration.ofSeconds(5))),
                    machine(
                        server,
                        "locked-2",
                        new DeviceSpec.Endpoint(
                            server.url(),
                            "None",
                            "None",
                            "operator",
                            wrong.toString(),
                            "",
                            "",
                            Duration.ofSeconds(5)))))) {
      edge.awaitValue("locked-1", "Temperature", "21");
      edge.awaitState("locked-2", "offline");
      Awaitility.await("the wrong password never connects")
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(5))
          .until(() -> mapper.onlineCount() == 1);
    }
  }
}
