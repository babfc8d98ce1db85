package io.kedge.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.view.ResourceType;
import io.kedge.edge.api.view.WatchFilter;
import io.kedge.edge.relay.EdgeConfig;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.edge.relay.log.RawEntry;
import io.kedge.edge.relay.log.RawReader;
import io.kedge.kafka.local.LocalKafkaCluster;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code kedge bench reconnect}: what an edge node that was away fetches when it comes back. The
 * node holds N pods; while it is down, the cloud changes a hundred of them; on its return the relay
 * resumes after its last logged offset, so it fetches those changes only, where a client that
 * re-lists would fetch all N objects again.
 */
final class ReconnectBenchmark {
  private static final String NODE = "edge-1";
  private static final int CHANGES = 100;

  private final int pods;
  private final PrintWriter out;

  ReconnectBenchmark(boolean quick, PrintWriter out) {
    this.pods = quick ? 2_000 : 10_000;
    this.out = out;
  }

  String run() throws Exception {
    Path work = Files.createTempDirectory("kedge-bench-reconnect");
    String prefix = "bench-reconnect";
    try (BenchCloud cloud = BenchCloud.start(work, prefix)) {
      LocalKafkaCluster kafka = cloud.kafka();
      cloud.publishNodeWithPods(NODE, pods);
      progress("%d pods published (router %s)", pods, cloud.router().state());

      long before;
      try (EdgeNode edge = EdgeNode.start(edgeConfig(kafka, prefix, work), "bench")) {
        await("the edge holds " + pods + " pods", () -> podCount(edge) == pods);
        Thread.sleep(1_000); // the log settles: its last entry is where the node stopped
        before = edge.log().lastIndex();
      }
      progress("edge down; the cloud changes %d pods", CHANGES);
      List<ObjectNode> updated = new ArrayList<>();
      for (int i = 0; i < CHANGES / 2; i++) {
        updated.add(BenchObjects.pod("pod-" + i, NODE, "v2"));
      }
      cloud.publish(updated);
      List<ObjectNode> deleted = new ArrayList<>();
      for (int i = 0; i < CHANGES / 4; i++) {
        deleted.add(BenchObjects.pod("pod-" + (pods - 1 - i), NODE, "v1"));
      }
      cloud.delete(deleted);
      List<ObjectNode> created = new ArrayList<>();
      for (int i = 0; i < CHANGES / 4; i++) {
        created.add(BenchObjects.pod("new-" + i, NODE, "v1"));
      }
      cloud.publish(created);

      long started = System.nanoTime();
      long transferred;
      double seconds;
      try (EdgeNode edge = EdgeNode.start(edgeConfig(kafka, prefix, work), "bench")) {
        await(
            "the edge caught up",
            () -> entriesAfter(edge, before) >= CHANGES && podCount(edge) == pods);
        seconds = (System.nanoTime() - started) / 1e9;
        Thread.sleep(2_000); // anything fetched beyond the changes would show now
        transferred = entriesAfter(edge, before);
      }
      out.printf(
          "bench reconnect: the edge held %d pods; %d changed while it was down; on its return it"
              + " fetched %d records (log entries) and caught up in %.2f s (a re-list would fetch %d objects)%n",
          pods, CHANGES, transferred, seconds, pods);
      return String.format(
          "RATIO reconnect %.4f (records fetched on reconnect over objects held, %d pods, %d"
              + " changed while away)",
          transferred / (double) pods, pods, CHANGES);
    } finally {
      BenchFiles.deleteTree(work);
    }
  }

  private static EdgeConfig edgeConfig(LocalKafkaCluster kafka, String prefix, Path work) {
    return EdgeConfig.embedded(
        NODE, kafka.bootstrapServers(), prefix, work.resolve("edge"), Map.of());
  }

  /** Log entries from Kafka after {@code index} (log indexes are not contiguous numbers). */
  private static long entriesAfter(EdgeNode edge, long index) {
    long count = 0;
    try (RawReader reader = edge.log().readRawAfter(index)) {
      RawEntry entry;
      while ((entry = reader.next()) != null) {
        if (!entry.local()) {
          count++;
        }
      }
    }
    return count;
  }

  private static int podCount(EdgeNode edge) {
    ResourceType pods = edge.view().types().byResource("", "v1", "pods").orElseThrow();
    return edge.view().list(WatchFilter.all(pods)).items().size();
  }

  private void await(String what, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    long report = System.nanoTime();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("bench reconnect: timed out waiting for " + what);
      }
      if (System.nanoTime() - report > TimeUnit.SECONDS.toNanos(5)) {
        progress("waiting: %s", what);
        report = System.nanoTime();
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  private void progress(String format, Object... args) {
    out.printf("bench reconnect: " + format + "%n", args);
    out.flush();
  }
}
