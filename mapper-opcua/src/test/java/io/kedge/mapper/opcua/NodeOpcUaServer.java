package io.kedge.mapper.opcua;

import io.kedge.runtime.net.FreePorts;
import io.kedge.testkit.NodeModules;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;

/**
 * An OPC UA server written with node-opcua, not Milo ({@code node-opcua/server.mjs}, run by Node.js
 * from {@code .node-opcua/}, which {@code .ci/fetch-node-opcua} installs). Its variables live in
 * the object Machine: Temperature (Double, read only), Setpoint (Int32), Switch (Boolean), Speed
 * (Float), Count (UInt32), Label (String), LastService (DateTime).
 */
final class NodeOpcUaServer implements AutoCloseable {
  private final Process process;
  private final Path script;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final String url;
  private final int namespace;
  private final Path certificate;

  /** The directory holding node_modules/node-opcua, found upwards from here. */
  static Optional<Path> installation() {
    return NodeModules.installed(".node-opcua", "node-opcua");
  }

  /**
   * Starts the server in {@code installation}, keeping its PKI under {@code pki}; with a {@code
   * user}, only that user and {@code password} may open a session.
   */
  static NodeOpcUaServer start(Path installation, Path pki, String user, String password)
      throws IOException {
    // ES modules resolve packages from the script's own directory, so the script goes beside them
    Path script = Files.createTempFile(installation, "server-", ".mjs");
    try (InputStream in = NodeOpcUaServer.class.getResourceAsStream("/node-opcua/server.mjs")) {
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            "node",
            script.toString(),
            Integer.toString(FreePorts.on("127.0.0.1")),
            pki.toAbsolutePath().toString()));
    if (!user.isEmpty()) {
      command.addAll(List.of(user, password));
    }
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    return new NodeOpcUaServer(process, script);
  }

  private NodeOpcUaServer(Process process, Path script) {
    this.process = process;
    this.script = script;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("READ FAILED " + e);
              }
            },
            "node-opcua-output");
    reader.setDaemon(true);
    reader.start();
    Awaitility.await("node-opcua listening (its output: " + lines + ")")
        .atMost(Duration.ofSeconds(90))
        .until(() -> ready().isPresent() || !process.isAlive());
    String[] ready =
        ready()
            .orElseThrow(
                () -> new IllegalStateException("node-opcua did not start; its output: " + lines))
            .split(" ");
    url = ready[1];
    namespace = Integer.parseInt(ready[2]);
    certificate = Path.of(ready[3]);
  }

  private Optional<String> ready() {
    return lines.stream().filter(line -> line.startsWith("READY ")).findFirst();
  }

  String url() {
    return url;
  }

  /** The node id of a variable of Machine. */
  String nodeId(String variable) {
    return "ns=" + namespace + ";s=" + variable;
  }

  /** The server's own certificate (PEM), for a client that must trust it. */
  Path certificate() {
    return certificate;
  }

  /** Sets a variable's value on the server ({@code json}: a JSON literal of its type). */
  void set(String variable, String json) throws IOException {
    OutputStream in = process.getOutputStream();
    in.write(("set " + variable + " " + json + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  /** Waits until the server reports {@code variable} holding {@code value} of {@code dataType}. */
  void awaitValue(String variable, String dataType, String value) {
    String line = "VALUE " + variable + " " + dataType + " " + value;
    Awaitility.await("node-opcua: " + line)
        .atMost(Duration.ofSeconds(60))
        .until(() -> lines.contains(line));
  }

  /** Whether the server ever held {@code variable} with a value other than its initial one. */
  boolean changed(String variable) {
    return lines.stream().anyMatch(line -> line.startsWith("VALUE " + variable + " "));
  }

  @Override
  public void close() throws Exception {
    process.getOutputStream().close(); // the script shuts down at the end of its input
    if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    Files.deleteIfExists(script);
  }
}
