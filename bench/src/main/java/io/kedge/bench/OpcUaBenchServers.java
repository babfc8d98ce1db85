package io.kedge.bench;

import io.kedge.runtime.net.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import picocli.CommandLine;

/**
 * The OPC UA server stacks {@code kedge bench opcua} measures the mapper against, each in a process
 * of its own that prints {@code READY <url> <namespace index>} once it serves.
 */
enum OpcUaBenchServers {
  /** Eclipse Milo's server, the stack the mapper's client is built on. */
  MILO("milo") {
    @Override
    Process start(int items, Path dir) throws IOException {
      return new ProcessBuilder(
              EdgeProcess.javaCommand(
                  List.of("-Xmx512m"),
                  List.of(OpcUaBenchServer.class.getName(), Integer.toString(items))))
          .redirectErrorStream(true)
          .start();
    }
  },
  /** node-opcua's server, written independently of Milo, run by Node.js. */
  NODE_OPCUA("node-opcua") {
    @Override
    Process start(int items, Path dir) throws IOException {
      Path installation = nodeOpcUa();
      // ES modules resolve packages from the script's own directory, so the script goes beside them
      Path script = installation.resolve("kedge-bench-server.mjs");
      try (InputStream in = getClass().getResourceAsStream("/opcua/bench-server.mjs")) {
        Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
      }
      return new ProcessBuilder(
              "node",
              script.toString(),
              Integer.toString(items),
              Integer.toString(FreePorts.on("127.0.0.1")),
              dir.resolve("node-opcua-pki").toString())
          .redirectErrorStream(true)
          .start();
    }
  };

  private final String stack;

  OpcUaBenchServers(String stack) {
    this.stack = stack;
  }

  /** Starts the server with {@code items} Double variables, Bulk0 and on; state under dir. */
  abstract Process start(int items, Path dir) throws IOException;

  String stack() {
    return stack;
  }

  /** The server named by {@code --server}. */
  static OpcUaBenchServers named(String stack, CommandLine command) {
    for (OpcUaBenchServers server : values()) {
      if (server.stack.equals(stack)) {
        return server;
      }
    }
    throw new CommandLine.ParameterException(
        command, "--server '" + stack + "' is not a server stack: use milo or node-opcua");
  }

  /** The directory holding node_modules/node-opcua: .node-opcua, here or in a parent. */
  private static Path nodeOpcUa() {
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(".node-opcua");
      if (Files.isRegularFile(candidate.resolve("node_modules/node-opcua/package.json"))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "node-opcua is not installed in .node-opcua/ in "
            + start
            + " or a parent: run .ci/fetch-node-opcua (needs Node.js and npm)");
  }
}
