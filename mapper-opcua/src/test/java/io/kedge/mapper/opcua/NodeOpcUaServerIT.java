package io.kedge.mapper.opcua;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mapper against an OPC UA server that Milo did not write: node-opcua's, in its own Node.js
 * process, with a real MQTT broker on the edge side. Reading, change reports, typed writes and the
 * server's refusals, and a Basic256Sha256 SignAndEncrypt session with a user name.
 */
class NodeOpcUaServerIT {
  private static final List<String> VARIABLES =
      List.of("Temperature", "Setpoint", "Switch", "Speed", "Count", "Label", "LastService");

  @TempDir Path dir;
  private Path installation;

  @BeforeEach
  void installed() {
    installation = NodeOpcUaServer.installation().orElse(null);
    Assumptions.assumeTrue(
        installation != null, "SKIPPED: node-opcua is not installed; run .ci/fetch-node-opcua");
  }

  private static MapperConfig config(String mqtt, String pkiDir, String trustedServers) {
    return OpcUaMapperIT.config(mqtt, pkiDir, trustedServers, false, Duration.ofMinutes(10));
  }

  /** Every variable of Machine, none marked read-only: the server is the one to refuse. */
  private static DeviceSpec machine(
      NodeOpcUaServer server, String id, DeviceSpec.Endpoint endpoint) {
    return OpcUaMapperIT.device(id, endpoint, VARIABLES, server::nodeId, Set.of());
  }

  private static DeviceSpec.Endpoint endpoint(
      NodeOpcUaServer server, String policy, String mode, String user, Path passwordFile) {
    return new DeviceSpec.Endpoint(
        server.url(),
        policy,
        mode,
        user,
        passwordFile == null ? "" : passwordFile.toString(),
        "",
        "",
        Duration.ofSeconds(10));
  }

  @Test
  void reportsChangesAndWritesTypedValuesToANodeOpcUaServer() throws Exception {
    try (NodeOpcUaServer server = NodeOpcUaServer.start(installation, dir.resolve("pki"), "", "");
        TwinWatcher edge = new TwinWatcher(dir);
        OpcUaMapper mapper =
            OpcUaMapper.start(
                config(edge.url(), "", ""),
                new OpcUaMapperIT.StaticDevices(
                    machine(server, "np-1", endpoint(server, "None", "None", "", null))))) {
      edge.awaitState("np-1", "online");
      edge.awaitValue("np-1", "Temperature", "21");
      assertThat(edge.reported("np-1", "Temperature").get().type()).isEqualTo("double");
      edge.awaitValue("np-1", "Speed", "1.5");
      edge.awaitValue("np-1", "Count", "7");
      edge.awaitValue("np-1", "Label", "idle");
      edge.awaitValue("np-1", "LastService", "2024-01-01T00:00:00Z");
      assertThat(edge.reported("np-1", "Setpoint").get().type()).isEqualTo("int");

      // a change on the server -> a report
      server.set("Temperature", "25.5");
      edge.awaitValue("np-1", "Temperature", "25.5");

      // desired values arrive in each variable's DataType
      Map<String, String> desired = OpcUaMapperIT.typedDesiredValues();
      desired.keySet().retainAll(VARIABLES);
      edge.delta("np-1", desired);
      server.awaitValue("Setpoint", "Int32", "42");
      server.awaitValue("Switch", "Boolean", "true");
      server.awaitValue("Speed", "Float", "2.25");
      server.awaitValue("Count", "UInt32", "4000000000");
      server.awaitValue("Label", "String", "running");
      server.awaitValue("LastService", "DateTime", "2025-06-01T10:00:00.000Z");
      edge.awaitValue("np-1", "Setpoint", "42");
      edge.awaitValue("np-1", "LastService", "2025-06-01T10:00:00Z");

      // a value that does not convert is refused by the mapper, a read-only variable by the server
      edge.delta("np-1", Map.of("Setpoint", "warm", "Temperature", "30"));
      Awaitility.await("two failures")
          .atMost(Duration.ofSeconds(30))
          .until(() -> mapper.writeFailureCount() >= 2);
      assertThat(edge.reportedError("np-1", "Setpoint")).contains("'warm'", "Int32");
      assertThat(edge.reportedError("np-1", "Temperature"))
          .contains("refused by the server", "Bad_");
      assertThat(mapper.writeCount()).isEqualTo(desired.size());
    }
  }

  @Test
  void signAndEncryptWithAUserNameAgainstANodeOpcUaServer() throws Exception {
    Path password = dir.resolve("password");
    Files.writeString(password, "s3cret\n");
    Path wrong = dir.resolve("wrong");
    Files.writeString(wrong, "guess\n");
    Path pki = dir.resolve("mapper-pki");
    try (NodeOpcUaServer server =
            NodeOpcUaServer.start(installation, dir.resolve("pki"), "operator", "s3cret");
        TwinWatcher edge = new TwinWatcher(dir);
        OpcUaMapper mapper =
            OpcUaMapper.start(
                config(edge.url(), pki.toString(), server.certificate().toString()),
                new OpcUaMapperIT.StaticDevices(
                    machine(
                        server,
                        "secure-1",
                        endpoint(server, "Basic256Sha256", "SignAndEncrypt", "operator", password)),
                    machine(
                        server,
                        "secure-2",
                        endpoint(
                            server, "Basic256Sha256", "SignAndEncrypt", "operator", wrong))))) {
      edge.awaitValue("secure-1", "Temperature", "21");
      edge.delta("secure-1", Map.of("Setpoint", "7"));
      server.awaitValue("Setpoint", "Int32", "7");
      edge.awaitState("secure-2", "offline");
      Awaitility.await("the wrong password never opens a session")
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(5))
          .until(() -> mapper.onlineCount() == 1);
      assertThat(edge.reportedValue("secure-2", "Temperature")).isEmpty();
    }
  }
}
