package io.kedge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.kedge.kafka.local.LocalKafkaCluster;
import io.kedge.schemas.EventCodec;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kedge bench footprint}: what an edge node costs its machine. A {@code kedge edge} process,
 * started as deployed (the edge's JVM options), holds N pods: its private memory (RssAnon) after
 * the load, its heap after a full GC, and the time from the process's start to the first LIST that
 * returns all N pods after a restart (served from its snapshot). Beside it, in the same run: a bare
 * JVM start with the same options, and the same node under the JVM's default options.
 */
final class FootprintBenchmark {
  private static final String NODE = "edge-1";

  /** The private memory an edge node may take at 10,000 pods: RATIO footprint's denominator. */
  static final double GOAL_MIB = 150;

  private final int pods = 10_000;
  private final int restarts;
  private final PrintWriter out;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  FootprintBenchmark(boolean quick, PrintWriter out) {
    this.restarts = quick ? 1 : 3;
    this.out = out;
  }

  String run() throws Exception {
    Path work = Files.createTempDirectory("kedge-bench-footprint");
    String prefix = "bench-footprint";
    try (BenchCloud cloud = BenchCloud.start(work, prefix)) {
      LocalKafkaCluster kafka = cloud.kafka();
      cloud.publishNodeWithPods(NODE, pods);
      progress("%d pods published for %s", pods, NODE);

      progress("training run: writing the edge's class-data archive");
      EdgeProcess.Launch edge = EdgeProcess.Launch.edge(work, kafka.bootstrapServers(), prefix);
      double bareMs = bareJvmStart(edge.jvmOptions());
      progress("bare JVM start (java -version with the edge's options): %.0f ms", bareMs);

      Figures shipped = measure("edge options", edge, work.resolve("edge"));
      Figures defaults =
          measure("JVM defaults", edge.withJvmOptions(List.of()), work.resolve("edge-defaults"));

      out.printf(
          "bench footprint: %d pods; edge options: RssAnon %.1f MiB, heap after GC %.1f MiB, start"
              + " -> first complete LIST %.0f ms (median of %d restarts; bare JVM %.0f ms: %.0f ms"
              + " beyond it); JVM defaults: RssAnon %.1f MiB, heap after GC %.1f MiB, start %.0f"
              + " ms%n",
          pods,
          shipped.rssAnonMiB,
          shipped.heapAfterGcMiB,
          shipped.startMs,
          restarts,
          bareMs,
          shipped.startMs - bareMs,
          defaults.rssAnonMiB,
          defaults.heapAfterGcMiB,
          defaults.startMs);
      return String.format(
          "RATIO footprint %.2f (RssAnon %.1f MiB with %d pods over %.0f MiB; start -> serving"
              + " %.0f ms beyond a bare JVM's %.0f ms)",
          shipped.rssAnonMiB / GOAL_MIB,
          shipped.rssAnonMiB,
          pods,
          GOAL_MIB,
          shipped.startMs - bareMs,
          bareMs);
    } finally {
      BenchFiles.deleteTree(work);
    }
  }

  /** The node's figures under one set of JVM options. */
  private record Figures(double rssAnonMiB, double heapAfterGcMiB, double startMs) {}

  private Figures measure(String label, EdgeProcess.Launch launch, Path dataDir) throws Exception {
    progress("%s: first start, fetching %d pods from Kafka", label, pods);
    try (EdgeProcess first = launch.start(dataDir)) {
      awaitComplete(first, Duration.ofMinutes(5));
      progress("%s: caught up in %.0f ms", label, first.sinceStartMs());
    }
    double[] starts = new double[restarts];
    double rss = 0;
    double heap = 0;
    for (int round = 0; round < restarts; round++) {
      try (EdgeProcess edge = launch.start(dataDir)) {
        starts[round] = awaitComplete(edge, Duration.ofMinutes(2));
        if (round == restarts - 1) {
          // after the load: the node has served its pods and settled, as a user would see it
          for (int i = 0; i < 5; i++) {
            awaitComplete(edge, Duration.ofSeconds(30));
          }
          Thread.sleep(5_000);
          rss = edge.rssAnonMiB();
          heap = edge.heapAfterGcMiB();
        }
      }
      progress(
          "%s: restart %d served all %d pods %.0f ms after start",
          label, round, pods, starts[round]);
    }
    progress("%s: RssAnon %.1f MiB, heap after a full GC %.1f MiB", label, rss, heap);
    return new Figures(rss, heap, BenchStats.median(starts));
  }

  /**
   * Asks the node's API for its pods (one item per page, the rest counted) until all N are there;
   * returns the milliseconds since the process started.
   */
  private double awaitComplete(EdgeProcess edge, Duration limit) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + edge.apiPort() + "/api/v1/pods?limit=1");
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      edge.checkAlive();
      try {
        HttpResponse<byte[]> response =
            http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() == 200) {
          JsonNode list = EventCodec.json().readTree(response.body());
          long held =
              list.path("items").size() + list.path("metadata").path("remainingItemCount").asLong();
          if (held == pods) {
            return edge.sinceStartMs();
          }
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(5);
    }
    throw new IllegalStateException(
        "bench footprint: the node did not serve " + pods + " pods within " + limit);
  }

  /** Milliseconds of {@code java -version} with the edge's options: the median of five. */
  private static double bareJvmStart(List<String> options) throws Exception {
    double[] runs = new double[5];
    for (int i = 0; i < runs.length; i++) {
      List<String> command = new ArrayList<>();
      command.add(EdgeProcess.javaBinary());
      command.addAll(options);
      command.add("-version");
      long started = System.nanoTime();
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (process.waitFor() != 0) {
        throw new IllegalStateException("java -version failed with options " + options);
      }
      runs[i] = (System.nanoTime() - started) / 1e6;
    }
    return BenchStats.median(runs);
  }

  private void progress(String format, Object... args) {
    out.printf("bench footprint: " + format + "%n", args);
    out.flush();
  }
}
