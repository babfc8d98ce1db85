package io.kedge.bench;

import io.kedge.cloud.CloudConfig;
import io.kedge.cloud.router.Router;
import io.kedge.cloud.topics.TopicProvisioner;
import io.kedge.edge.relay.EdgeConfig;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.edge.relay.link.LinkState;
import io.kedge.kafka.local.LocalKafkaCluster;
import io.kedge.schemas.KedgeTopics;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * {@code kedge bench scale}: whether the cost per event grows with the fleet. The router, under
 * exactly_once_v2, takes the same pod stream spread over a small and then a ten times larger fleet,
 * in one run: nodes joining (each Node followed by a pod for it, nodes per second until every pod
 * is routed), events per second, and the delay to a read-committed reader of the node topics at a
 * steady rate; then one node's resync among the fleet (with the store records the router read to
 * answer it, which must not grow with the fleet), and real relays with new logs joining it (each
 * resyncs and consumes its topic). {@code RATIO scale} is the worse of (events/s larger over
 * smaller) and (p99 smaller over larger).
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

  /** Real relays joined into each fleet beside its simulated nodes. */
  private static final int RELAYS = 3;

  /** What one fleet size measured. */
  private record Fleet(
      int nodes,
      double joinRate,
      RouterLoad.Backlog backlog,
      RouterLoad.Delays delays,
      RouterLoad.Resync resync,
      Relays relays,
      String brokerPerTopic) {
    double eventRate() {
      return backlog.eventsPerSecond();
    }
  }

  /**
   * Real relays (edge nodes with fresh logs) started among the fleet: the time until the last one
   * has logged its snapshot and is connected, and the objects their VIEWs then hold.
   */
  record Relays(long millis, long objects) {}

  String run() throws Exception {
    Path work = Files.createTempDirectory("kedge-bench-scale");
    // a fleet's topics are deleted after it: one broker holds 10,000 node topics at a time, within
    // a process's open files (each partition keeps its log open) and memory maps
    Map<String, String> broker = new HashMap<>(RouterLoad.BROKER_CONFIG);
    // a deleted topic's logs go a second after its deletion, not a minute (Kafka's default)
    broker.put("log.segment.delete.delay.ms", "1000");
    try (LocalKafkaCluster kafka = BenchFiles.kafka(work, broker)) {
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
            "bench scale: %,d nodes: joined %.0f nodes/s; %,d pod events %.0f events/s (CPU per"
                + " event: the router's threads %.1f µs, the rest of the process %.1f µs); at %d"
                + " events/s p50 %d ms p99 %d ms over %d events (router's part, to the node topic's"
                + " append: p50 %d ms p99 %d ms); one node's resync: %d objects"
                + " in %d ms (%d store records read); %d real relays with new logs connected in"
                + " %d ms holding %d objects; the broker, %s%n",
            fleet.nodes(),
            fleet.joinRate(),
            events,
            fleet.eventRate(),
            fleet.backlog().routerCpuMicros(),
            fleet.backlog().otherCpuMicros(),
            fleet.delays().rate(),
            fleet.delays().p50(),
            fleet.delays().p99(),
            fleet.delays().count(),
            fleet.delays().appendP50(),
            fleet.delays().appendP99(),
            fleet.resync().objects(),
            fleet.resync().millis(),
            fleet.resync().storeReads(),
            RELAYS,
            fleet.relays().millis(),
            fleet.relays().objects(),
            fleet.brokerPerTopic());
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
        a.eventRate() >= b.eventRate() ? a.backlog() : b.backlog(),
        a.delays().p99() <= b.delays().p99() ? a.delays() : b.delays(),
        a.resync().millis() <= b.resync().millis() ? a.resync() : b.resync(),
        a.relays().millis() <= b.relays().millis() ? a.relays() : b.relays(),
        b.brokerPerTopic());
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
      BrokerFootprint before = BrokerFootprint.now(kafka.logDirs());
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
      String brokerPerTopic = BrokerFootprint.now(kafka.logDirs()).perTopic(before, nodes);
      load.progress("%s: the broker, %s", name, brokerPerTopic);

      RouterLoad.Backlog backlog =
          load.routeBacklog(producer, admin, config.applicationId(), nodes, events, name);
      RouterLoad.Delays delays =
          rate == 0 ? RouterLoad.Delays.NONE : load.paced(producer, nodes, rate, pacedSeconds);
      RouterLoad.Resync resync = load.resync(producer, "node-0", router::resyncStoreReads);
      load.progress(
          "%s: resync of node-0: %d objects in %d ms, %d store records read",
          name, resync.objects(), resync.millis(), resync.storeReads());
      Relays relays = relays(kafka, prefix, work.resolve(name + "-relays"));
      load.progress(
          "%s: %d real relays connected in %d ms holding %d objects",
          name, RELAYS, relays.millis(), relays.objects());
      return new Fleet(nodes, joinRate, backlog, delays, resync, relays, brokerPerTopic);
    } finally {
      deleteTopics(kafka, prefix);
    }
  }

  /** Deletes the fleet's topics (node topics, kedge's, the router's internal ones). */
  private void deleteTopics(LocalKafkaCluster kafka, String prefix) throws Exception {
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      List<String> fleet =
          admin.listTopics().names().get().stream()
              .filter(t -> t.startsWith(prefix + ".") || t.startsWith(prefix + "-router"))
              .toList();
      // in parts, as kedge creates them: the controller refuses too large a request
      int part = TopicProvisioner.MAX_TOPICS_PER_REQUEST;
      for (int from = 0; from < fleet.size(); from += part) {
        admin.deleteTopics(fleet.subList(from, Math.min(fleet.size(), from + part))).all().get();
      }
      awaitLogsGone(kafka, prefix);
      out.printf("bench scale: deleted %,d topics of %s%n", fleet.size(), prefix);
    }
  }

  /**
   * Waits until the broker has removed the logs of the topics named {@code prefix...}: it deletes
   * them in the background, on the cores the next fleet's round would be measured on.
   */
  private static void awaitLogsGone(LocalKafkaCluster kafka, String prefix) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    for (Path logDir : kafka.logDirs()) {
      while (true) {
        long left;
        try (Stream<Path> logs = Files.list(logDir)) {
          left = logs.filter(log -> log.getFileName().toString().startsWith(prefix)).count();
        }
        if (left == 0) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              left + " logs of " + prefix + " still in " + logDir + " 2 minutes after deletion");
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }
  }

  /**
   * Starts {@link #RELAYS} edge nodes (node-1, node-2, ...) with new logs among the fleet, as real
   * relays join one: each asks for its resync and consumes its topic; returns when every one is
   * connected and its VIEW has settled.
   */
  private static Relays relays(LocalKafkaCluster kafka, String prefix, Path dir) throws Exception {
    List<EdgeNode> edges = new ArrayList<>();
    try {
      long start = System.nanoTime();
      for (int r = 1; r <= RELAYS; r++) {
        String node = "node-" + r;
        edges.add(
            EdgeNode.start(
                EdgeConfig.embedded(
                    node, kafka.bootstrapServers(), prefix, dir.resolve(node), Map.of()),
                "bench"));
      }
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (!edges.stream().allMatch(e -> e.linkState() == LinkState.CONNECTED)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("relays not connected within 2 minutes");
        }
        Thread.sleep(10);
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      long objects = -1;
      long held = 0;
      while (held != objects) { // the VIEWs follow their logs: wait until they stop growing
        objects = held;
        Thread.sleep(200);
        held = edges.stream().mapToLong(e -> e.view().size()).sum();
      }
      return new Relays(millis, objects);
    } finally {
      for (EdgeNode edge : edges) {
        edge.close();
      }
    }
  }
}
