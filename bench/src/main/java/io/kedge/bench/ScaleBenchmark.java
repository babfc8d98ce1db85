package io.kedge.bench;

import io.kedge.cloud.CloudConfig;
import io.kedge.cloud.router.Router;
import io.kedge.kafka.local.LocalKafkaCluster;
import io.kedge.schemas.KedgeTopics;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * {@code kedge bench scale}: whether the cost per event grows with the fleet. The router, under
 * exactly_once_v2, takes the same pod stream spread over a small and then a ten times larger fleet,
 * in one run: nodes joining (each Node followed by a pod for it, nodes per second until every pod
 * is routed), events per second, and the delay to a read-committed reader of the node topics at a
 * steady rate. {@code RATIO scale} is the worse of (events/s larger over smaller) and (p99 smaller
 * over larger).
 */
final class ScaleBenchmark {
  private final int small;
  private final int large;
  private final int events;
  private final int pacedSeconds;
  private final PrintWriter out;

  ScaleBenchmark(boolean quick, PrintWriter out) {
    this.small = quick ? 200 : 1_000;
    this.large = quick ? 2_000 : 10_000;
    this.events = quick ? 40_000 : 200_000;
    this.pacedSeconds = quick ? 10 : 30;
    this.out = out;
  }

  /** What one fleet size measured. */
  private record Fleet(
      int nodes,
      double joinRate,
      double eventRate,
      RouterLoad.Delays delays,
      RouterLoad.Resync resync) {}

  String run() throws Exception {
    Path work = Files.createTempDirectory("kedge-bench-scale");
    try (LocalKafkaCluster kafka = BenchFiles.kafka(work)) {
      Fleet warmup = fleet(kafka, work, small, 0, "warmup");
      int rate = (int) Math.max(100, Math.min(2_000, warmup.eventRate() / 4));
      // alternated rounds, the best of each size: the machine is shared
      Fleet smaller = null;
      Fleet larger = null;
      for (int round = 1; round <= 2; round++) {
        smaller = best(smaller, fleet(kafka, work, small, rate, "r" + round));
        larger = best(larger, fleet(kafka, work, large, rate, "r" + round));
      }
      for (Fleet fleet : new Fleet[] {smaller, larger}) {
        out.printf(
            "bench scale: %,d nodes: joined %.0f nodes/s; %,d pod events %.0f events/s; at %d"
                + " events/s p50 %d ms p99 %d ms over %d events; one node's resync: %d objects"
                + " in %d ms%n",
            fleet.nodes(),
            fleet.joinRate(),
            events,
            fleet.eventRate(),
            fleet.delays().rate(),
            fleet.delays().p50(),
            fleet.delays().p99(),
            fleet.delays().count(),
            fleet.resync().objects(),
            fleet.resync().millis());
      }
      double throughput = larger.eventRate() / smaller.eventRate();
      double latency =
          (double) Math.max(1, smaller.delays().p99()) / Math.max(1, larger.delays().p99());
      out.printf(
          "bench scale: goals: RATIO >= 0.8, joins >= 100 nodes/s (%,d nodes: %.0f nodes/s)%n",
          large, larger.joinRate());
      return String.format(
          "RATIO scale %.2f (worse of events/s %.2f and p99 %.2f, %,d over %,d node topics)",
          Math.min(throughput, latency), throughput, latency, large, small);
    } finally {
      BenchFiles.deleteTree(work);
    }
  }

  /**
   * A fresh router and {@code nodes} nodes; measures joins and throughput, and with {@code rate}
   * above zero the delays at that steady rate. A first pass at the small size (rate 0) warms the
   * JVM and finds the rate.
   */
  private static Fleet best(Fleet a, Fleet b) {
    if (a == null) {
      return b;
    }
    return new Fleet(
        a.nodes(),
        Math.max(a.joinRate(), b.joinRate()),
        Math.max(a.eventRate(), b.eventRate()),
        a.delays().p99() <= b.delays().p99() ? a.delays() : b.delays(),
        a.resync().millis() <= b.resync().millis() ? a.resync() : b.resync());
  }

  private Fleet fleet(LocalKafkaCluster kafka, Path work, int nodes, int rate, String round)
      throws Exception {
    String name = nodes + "-" + round;
    String prefix = "bench-scale-" + name;
    KedgeTopics topics = new KedgeTopics(prefix, 1, Duration.ofDays(1));
    CloudConfig config =
        CloudConfig.embedded(
            kafka.bootstrapServers(), work.resolve(name), prefix, Duration.ofDays(1));
    RouterLoad load = new RouterLoad(kafka, topics, out, "scale");
    try (Router router = Router.start(config);
        Admin admin = Admin.create(kafka.clientConfig());
        KafkaProducer<String, byte[]> producer = load.producer()) {
      long joinStart = System.nanoTime();
      for (int n = 0; n < nodes; n++) {
        producer.send(load.record(BenchObjects.node("node-" + n)));
        producer.send(load.record(BenchObjects.pod("first-" + n, "node-" + n, "v1")));
      }
      producer.flush();
      load.awaitFirstPods(admin, nodes);
      double joinRate = nodes / ((System.nanoTime() - joinStart) / 1e9);
      load.progress("%s: %d nodes joined, %.0f nodes/s", name, nodes, joinRate);
      // the broker finishes making the new topics' logs before events are timed
      Thread.sleep(5_000);

      long start = System.nanoTime();
      for (int i = 0; i < events; i++) {
        producer.send(load.record(BenchObjects.pod("pod-" + i, "node-" + (i % nodes), "v1")));
      }
      producer.flush();
      load.awaitRouted(admin, config.applicationId(), name + ": " + events + " pods");
      double eventRate = events / ((System.nanoTime() - start) / 1e9);
      load.progress("%s: %.0f events/s", name, eventRate);
      RouterLoad.Delays delays =
          rate == 0
              ? new RouterLoad.Delays(0, 0, 0, 0)
              : load.paced(producer, nodes, rate, pacedSeconds);
      RouterLoad.Resync resync = load.resync(producer, "node-0");
      load.progress(
          "%s: resync of node-0: %d objects in %d ms", name, resync.objects(), resync.millis());
      return new Fleet(nodes, joinRate, eventRate, delays, resync);
    }
  }
}
