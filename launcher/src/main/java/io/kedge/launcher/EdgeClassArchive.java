package io.kedge.launcher;

import io.kedge.runtime.net.FreePorts;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;

/**
 * The training run behind the edge's class-data archive: run with {@code
 * -XX:ArchiveClassesAtExit=FILE}, it starts {@code kedge edge} on a scratch directory (no Kafka
 * needed), asks its API what clients ask (discovery, lists, a watch, an offline write), and exits,
 * so that the JVM writes every class a serving node loads into FILE. Nodes started with {@code
 * -XX:SharedArchiveFile=FILE} then map those classes instead of loading them: they serve sooner and
 * keep less private memory.
 */
public final class EdgeClassArchive {
  private EdgeClassArchive() {}

  public static void main(String[] args) {
    try {
      train();
    } catch (Exception e) {
      // the node's threads would keep the JVM up: stop it, without an archive to trust
      e.printStackTrace();
      System.exit(1);
    }
  }

  private static void train() throws Exception {
    Path data = Files.createTempDirectory("kedge-class-archive");
    int apiPort = FreePorts.on("127.0.0.1");
    StringWriter output = new StringWriter();
    Thread edge =
        new Thread(
            () ->
                new CommandLine(new EdgeCommand())
                    .setOut(new PrintWriter(output, true))
                    .execute(
                        "--node",
                        "class-archive",
                        "--kafka",
                        "127.0.0.1:1",
                        "--data-dir",
                        data.toString(),
                        "--api-port",
                        Integer.toString(apiPort),
                        "--mqtt-port",
                        Integer.toString(FreePorts.on("127.0.0.1")),
                        "--ops-port",
                        Integer.toString(FreePorts.on("127.0.0.1"))),
            "kedge-class-archive");
    edge.setDaemon(true);
    edge.start();
    String api = "http://127.0.0.1:" + apiPort;
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (!output.toString().contains(EdgeCommand.READY_LINE)) {
      if (System.nanoTime() > deadline || !edge.isAlive()) {
        System.err.println("kedge: the class-archive run did not start:\n" + output);
        System.exit(1);
      }
      Thread.sleep(50);
    }
    // the watch goes last: its end closes its connection
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (String path :
        List.of(
            "/api",
            "/apis",
            "/version",
            "/api/v1/pods",
            "/api/v1/namespaces/default/pods?limit=1",
            "/api/v1/nodes/class-archive")) {
      ask(http, HttpRequest.newBuilder(URI.create(api + path)));
    }
    ask(
        http,
        HttpRequest.newBuilder(
                URI.create(api + "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\","
                        + "\"metadata\":{\"name\":\"class-archive\"},"
                        + "\"spec\":{\"holderIdentity\":\"class-archive\"}}")));
    ask(
        http,
        HttpRequest.newBuilder(
            URI.create(api + "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1")));
    // kedge edge's shutdown hook stops the node (its last snapshot included); this one deletes the
    // scratch directory after it; the JVM then writes the archive
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                  try {
                    while (!output.toString().contains(EdgeCommand.STOPPED_LINE)
                        && System.nanoTime() < until) {
                      Thread.sleep(20);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  deleteTree(data);
                }));
    System.exit(0);
  }

  /** Sends the request and reads its answer; a failure is reported, and the training goes on. */
  private static void ask(HttpClient http, HttpRequest.Builder request)
      throws InterruptedException {
    HttpRequest built = request.timeout(Duration.ofSeconds(10)).build();
    try {
      http.send(built, HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      System.err.println("kedge: class-archive run: " + built.uri() + ": " + e);
    }
  }

  private static void deleteTree(Path dir) {
    try (var files = Files.walk(dir)) {
      for (Path path : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      System.err.println("kedge: " + dir + " is left behind: " + e.getMessage());
    }
  }
}
