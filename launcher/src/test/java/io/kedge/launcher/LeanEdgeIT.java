package io.kedge.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.kedge.testkit.ChildJvm;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The edge image's libraries (as deploy/images/Dockerfile.edge assembles them) hold nothing of the
 * cloud, and {@code kedge edge} runs from them alone. Prints their size, the edge image's share.
 */
class LeanEdgeIT {
  private static final List<String> CLOUD_ONLY =
      List.of(
          "kafka-streams",
          "rocksdb",
          "debezium",
          "connect-runtime",
          "jetty",
          "jersey",
          "kafka_2.13",
          "kafka-server",
          "scala-library",
          "milo",
          "kedge-cloud-stream");

  private static List<Path> edgeLibraries() throws Exception {
    List<Path> jars = new ArrayList<>();
    try (Stream<Path> lib = Files.list(Path.of("..", "edge-relay", "target", "edge-dist", "lib"))) {
      lib.forEach(jars::add);
    }
    try (Stream<Path> relay = Files.list(Path.of("..", "edge-relay", "target"))) {
      relay
          .filter(p -> p.getFileName().toString().matches("kedge-edge-relay-.*\\.jar"))
          .filter(p -> !p.getFileName().toString().contains("sources"))
          .forEach(jars::add);
    }
    try (Stream<Path> dist = Files.list(Path.of("target", "dist", "lib"))) {
      dist.filter(
              p -> p.getFileName().toString().matches("(kedge-launcher|picocli|logback-).*\\.jar"))
          .forEach(jars::add);
    }
    return jars;
  }

  @Test
  void theEdgeRunsFromItsOwnLibrariesWithNothingOfTheCloud() throws Exception {
    List<Path> jars = edgeLibraries();
    assertThat(jars)
        .extracting(p -> p.getFileName().toString())
        .anyMatch(n -> n.startsWith("kedge-launcher"));
    for (Path jar : jars) {
      String name = jar.getFileName().toString();
      assertThat(CLOUD_ONLY).noneMatch(name::contains);
    }
    long bytes = 0;
    for (Path jar : jars) {
      bytes += Files.size(jar);
    }
    System.out.printf(
        "lean-edge: %d jars, %.1f MiB (the edge image's application layer)%n",
        jars.size(), bytes / 1048576.0);

    String classpath = String.join(File.pathSeparator, jars.stream().map(Path::toString).toList());
    Run help = java(List.of(), classpath, "--help");
    assertThat(help.exit()).as(help.output()).isZero();
    assertThat(help.output()).contains("--node", "--kafka", "--data-dir");

    Run refused = java(List.of(), classpath, "--node", "Not_A_Node");
    assertThat(refused.exit()).as(refused.output()).isNotZero();
    assertThat(refused.output()).contains("edge.node").doesNotContain("NoClassDefFoundError");

    // and it starts for real: log, VIEW, edge API, eventbus, while Kafka is not there yet
    Path data = Files.createTempDirectory("lean-edge");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // as the image starts it: the shipped argument file, which the java launcher must accept
    command.add("@" + Path.of("src", "main", "resources", JvmOptionsFile.EDGE));
    command.addAll(ChildJvm.chronicleFlags());
    command.addAll(
        List.of(
            "-cp",
            classpath,
            "io.kedge.launcher.EdgeMain",
            "--node",
            "edge-1",
            "--kafka",
            "127.0.0.1:1",
            "--data-dir",
            data.toString(),
            "--api-port",
            "0",
            "--mqtt-port",
            "0",
            "--ops-port",
            "0"));
    Path log = data.resolve("edge.log");
    Process edge =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      Awaitility.await("the lean edge is ready")
          .atMost(Duration.ofSeconds(60))
          .until(() -> !edge.isAlive() || Files.readString(log).contains(EdgeCommand.READY_LINE));
      assertThat(Files.readString(log))
          .contains(EdgeCommand.READY_LINE)
          .doesNotContain("NoClassDefFoundError", "ClassNotFoundException");
      // a kubelet's Lease, in protobuf as a kubelet sends it: decoded with the descriptors alone
      java.util.regex.Matcher api =
          java.util.regex.Pattern.compile("edge API listening on http://[^:]+:(\\d+)")
              .matcher(Files.readString(log));
      assertThat(api.find()).isTrue();
      java.net.http.HttpResponse<String> lease = postLease(Integer.parseInt(api.group(1)));
      assertThat(lease.statusCode()).as(lease.body()).isEqualTo(201);
      assertThat(lease.body()).contains("\"renewTime\":\"2026-12-01T00:00:00.000000Z\"");
      assertThat(Files.readString(log)).doesNotContain("NoClassDefFoundError");
    } finally {
      edge.destroy();
      edge.waitFor(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void theImagesTrainingRunWritesAClassArchiveTheEdgeStartsFrom() throws Exception {
    String classpath =
        String.join(File.pathSeparator, edgeLibraries().stream().map(Path::toString).toList());
    String options = "@" + Path.of("src", "main", "resources", JvmOptionsFile.EDGE);
    Path archive = Files.createTempDirectory("lean-edge-archive").resolve("edge.jsa");
    List<String> training = new ArrayList<>();
    training.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    training.add(options);
    training.add("-XX:ArchiveClassesAtExit=" + archive);
    training.addAll(ChildJvm.chronicleFlags());
    training.addAll(List.of("-cp", classpath, EdgeClassArchive.class.getName()));
    Process train =
        new ProcessBuilder(training)
            .redirectErrorStream(true)
            .redirectOutput(archive.resolveSibling("training.log").toFile())
            .start();
    assertThat(train.waitFor(3, TimeUnit.MINUTES)).isTrue();
    String trainingLog = Files.readString(archive.resolveSibling("training.log"));
    assertThat(train.exitValue()).as(trainingLog).isZero();
    assertThat(trainingLog).contains("edge API listening", "VIEW snapshot");
    assertThat(archive).exists();
    System.out.printf("lean-edge: class-data archive %.1f MiB%n", Files.size(archive) / 1048576.0);

    // -Xshare:on refuses to start unless the archive matches these libraries and options
    Run help =
        java(
            List.of(options, "-Xshare:on", "-XX:SharedArchiveFile=" + archive),
            classpath,
            "--help");
    assertThat(help.exit()).as(help.output()).isZero();
    assertThat(help.output()).contains("--node");
  }

  /** What a kubelet's node lease controller sends first: its Lease, in Kubernetes protobuf. */
  private static java.net.http.HttpResponse<String> postLease(int port) throws Exception {
    io.kubernetes.client.proto.V1Coordination.Lease lease =
        io.kubernetes.client.proto.V1Coordination.Lease.newBuilder()
            .setMetadata(
                io.kubernetes.client.proto.Meta.ObjectMeta.newBuilder()
                    .setName("edge-1")
                    .setNamespace("kube-node-lease"))
            .setSpec(
                io.kubernetes.client.proto.V1Coordination.LeaseSpec.newBuilder()
                    .setHolderIdentity("edge-1")
                    .setLeaseDurationSeconds(40)
                    .setRenewTime(
                        io.kubernetes.client.proto.Meta.MicroTime.newBuilder()
                            .setSeconds(
                                java.time.Instant.parse("2026-12-01T00:00:00Z").getEpochSecond())))
            .build();
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    body.write(new byte[] {'k', '8', 's', 0});
    io.kubernetes.client.proto.Runtime.Unknown.newBuilder()
        .setTypeMeta(
            io.kubernetes.client.proto.Runtime.TypeMeta.newBuilder()
                .setApiVersion("coordination.k8s.io/v1")
                .setKind("Lease"))
        .setRaw(lease.toByteString())
        .build()
        .writeTo(body);
    return java.net.http.HttpClient.newHttpClient()
        .send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(
                        "http://127.0.0.1:"
                            + port
                            + "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"))
                .header("Content-Type", "application/vnd.kubernetes.protobuf")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .timeout(Duration.ofSeconds(30))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  private record Run(int exit, String output) {}

  /** Runs {@code kedge edge ARGS} from the lean libraries to its end (at most a minute). */
  private static Run java(List<String> jvmOptions, String classpath, String... args)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classpath, "io.kedge.launcher.EdgeMain"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
    return new Run(process.exitValue(), output);
  }
}
