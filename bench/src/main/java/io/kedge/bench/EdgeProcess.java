package io.kedge.bench;

import io.kedge.launcher.EdgeClassArchive;
import io.kedge.launcher.EdgeMain;
import io.kedge.launcher.JvmOptionsFile;
import io.kedge.runtime.net.FreePorts;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@code kedge edge} process started by a benchmark, as the edge image starts it. */
final class EdgeProcess implements AutoCloseable {
  private final Process process;
  private final long startedNanos;
  private final int apiPort;
  private final int opsPort;
  private final Path log;

  private EdgeProcess(Process process, long startedNanos, int apiPort, int opsPort, Path log) {
    this.process = process;
    this.startedNanos = startedNanos;
    this.apiPort = apiPort;
    this.opsPort = opsPort;
    this.log = log;
  }

  /** How to start the node: its JVM options and its configuration. */
  record Launch(List<String> jvmOptions, Path work, String kafka, String prefix) {
    /**
     * The node as deployed: the edge's shipped JVM options and a class-data archive written by the
     * training run, as ./kedge and the edge image write it.
     */
    static Launch edge(Path work, String kafka, String prefix) throws Exception {
      Path archive = work.resolve("edge.jsa");
      List<String> options = new ArrayList<>(JvmOptionsFile.edge());
      List<String> command =
          javaCommand(
              concat(options, List.of("-XX:ArchiveClassesAtExit=" + archive)),
              List.of(EdgeClassArchive.class.getName()));
      Path log = work.resolve("edge-class-archive.log");
      Process training =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
              .start();
      if (!training.waitFor(3, TimeUnit.MINUTES)
          || training.exitValue() != 0
          || !Files.exists(archive)) {
        training.destroyForcibly();
        throw new IllegalStateException("the class-data archive was not written; see " + log);
      }
      return new Launch(
          concat(options, List.of("-XX:SharedArchiveFile=" + archive)), work, kafka, prefix);
    }

    Launch withJvmOptions(List<String> options) {
      return new Launch(List.copyOf(options), work, kafka, prefix);
    }

    EdgeProcess start(Path dataDir) throws IOException {
      int api = FreePorts.on("127.0.0.1");
      int mqtt = FreePorts.on("127.0.0.1");
      int ops = FreePorts.on("127.0.0.1");
      Path config = work.resolve("edge-config.yaml");
      Files.writeString(config, "topics:\n  prefix: " + prefix + "\n");
      List<String> command =
          javaCommand(
              jvmOptions,
              List.of(
                  EdgeMain.class.getName(),
                  "--node",
                  "edge-1",
                  "--kafka",
                  kafka,
                  "--data-dir",
                  dataDir.toString(),
                  "--api-port",
                  Integer.toString(api),
                  "--mqtt-port",
                  Integer.toString(mqtt),
                  "--ops-port",
                  Integer.toString(ops),
                  "--config",
                  config.toString()));
      Path log = work.resolve("edge.log");
      long started = System.nanoTime();
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      return new EdgeProcess(process, started, api, ops, log);
    }
  }

  static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * A JVM command running {@code mainAndArgs} on this process's classpath with {@code options} and
   * the options Chronicle Queue needs.
   */
  static List<String> javaCommand(List<String> options, List<String> mainAndArgs) {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(options);
    command.addAll(requiredOptions());
    command.addAll(List.of("-cp", System.getProperty("java.class.path")));
    command.addAll(mainAndArgs);
    return command;
  }

  private static List<String> concat(List<String> first, List<String> second) {
    List<String> both = new ArrayList<>(first);
    both.addAll(second);
    return List.copyOf(both);
  }

  /** What Chronicle Queue needs on Java 17, as this JVM was given it (see ./kedge). */
  private static List<String> requiredOptions() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(
            a ->
                a.startsWith("--add-opens")
                    || a.startsWith("--add-exports")
                    || a.startsWith("-Dchronicle."))
        .toList();
  }

  int apiPort() {
    return apiPort;
  }

  double sinceStartMs() {
    return (System.nanoTime() - startedNanos) / 1e6;
  }

  void checkAlive() {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "the edge process exited with " + process.exitValue() + "; see " + log);
    }
  }

  /** The process's private resident memory (RssAnon in /proc/PID/status), in MiB. */
  double rssAnonMiB() throws IOException {
    for (String line :
        Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
      if (line.startsWith("RssAnon:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
      }
    }
    throw new IllegalStateException("no RssAnon in /proc/" + process.pid() + "/status");
  }

  /** Heap in use after a full GC (jcmd GC.run), from the node's own /metrics, in MiB. */
  double heapAfterGcMiB() throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process gc =
        new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.run")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!gc.waitFor(60, TimeUnit.SECONDS) || gc.exitValue() != 0) {
      throw new IllegalStateException("jcmd GC.run did not succeed on " + process.pid());
    }
    String metrics =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opsPort + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    double bytes = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        bytes += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return bytes / (1024 * 1024);
  }

  /** SIGTERM, as a node is stopped: it takes its snapshot and closes its logs. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
