package io.kedge.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.http.EdgeApiOptions;
import io.kedge.edge.api.http.EdgeApiServer;
import io.kedge.edge.api.log.MemoryLog;
import io.kedge.edge.api.view.ResourceTypes;
import io.kedge.edge.api.view.View;
import io.kedge.edge.api.view.ViewApplier;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceUpsert;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@code kedge bench list}: the edge API's LIST of N pods over HTTP against its baseline, Jackson
 * serializing the same list in the same process (what any server must at least do), plus GET
 * latency and the heap the VIEW uses. The last line is the ratio.
 */
final class ListBenchmark {
  private final int pods;
  private final int rounds;
  private final boolean quick;
  private final PrintWriter out;

  ListBenchmark(boolean quick, PrintWriter out) {
    this.pods = 10_000;
    this.rounds = quick ? 30 : 200;
    this.quick = quick;
    this.out = out;
  }

  String run() throws Exception {
    MemoryLog log = new MemoryLog();
    View view = new View(ResourceTypes.builtIn(), 100_000);
    long heapBefore = usedHeap();
    for (int i = 0; i < pods; i++) {
      ObjectNode pod = pod(i);
      log.append(
          KedgeEvent.of(
              URI.create("/kedge/bench"), "", new ResourceUpsert(ObjectKey.of(pod), "", pod)));
    }
    try (ViewApplier applier = new ViewApplier(view, log, Duration.ofSeconds(30), "bench").start();
        EdgeApiServer server =
            EdgeApiServer.start(view, EdgeApiOptions.loopback(0), applier::caughtUp, "bench")) {
      while (!applier.caughtUp() || view.size() < pods) {
        Thread.sleep(10);
      }
      long heapAfter = usedHeap();
      out.printf(
          "bench list: %d pods loaded, VIEW heap ~%.1f MiB%n",
          pods, (heapAfter - heapBefore) / 1048576.0);
      HttpClient http = HttpClient.newHttpClient();
      URI list = URI.create("http://127.0.0.1:" + server.port() + "/api/v1/pods");
      URI get =
          URI.create(
              "http://127.0.0.1:" + server.port() + "/api/v1/namespaces/default/pods/pod-42");
      ArrayNode items = EventCodec.json().createArrayNode();
      view.all().forEach(stored -> items.add(stored.object()));
      ObjectNode listBody = EventCodec.json().createObjectNode().put("kind", "PodList");
      listBody.set("items", items);
      int warmup = Math.max(5, rounds / 5);
      long[] listNanos = new long[rounds];
      long[] getNanos = new long[rounds];
      long[] jacksonNanos = new long[rounds];
      for (int i = -warmup; i < rounds; i++) {
        long t0 = System.nanoTime();
        HttpResponse<byte[]> response =
            http.send(
                HttpRequest.newBuilder(list).build(), HttpResponse.BodyHandlers.ofByteArray());
        long t1 = System.nanoTime();
        if (response.statusCode() != 200) {
          throw new IllegalStateException("LIST answered " + response.statusCode());
        }
        http.send(HttpRequest.newBuilder(get).build(), HttpResponse.BodyHandlers.discarding());
        long t2 = System.nanoTime();
        EventCodec.json().writeValue(OutputStream.nullOutputStream(), listBody);
        long t3 = System.nanoTime();
        if (i >= 0) {
          listNanos[i] = t1 - t0;
          getNanos[i] = t2 - t1;
          jacksonNanos[i] = t3 - t2;
        }
        if (i >= 0 && i % Math.max(1, rounds / 5) == 0) {
          out.printf("bench list: round %d/%d%n", i, rounds);
          out.flush();
        }
      }
      double listP50 = BenchStats.percentile(listNanos, 50);
      double jacksonP50 = BenchStats.percentile(jacksonNanos, 50);
      out.printf(
          "bench list: LIST %d pods p50 %.1f ms p99 %.1f ms; GET p50 %.2f ms p99 %.2f ms;"
              + " Jackson serialize p50 %.1f ms%n",
          pods,
          listP50 / 1e6,
          BenchStats.percentile(listNanos, 99) / 1e6,
          BenchStats.percentile(getNanos, 50) / 1e6,
          BenchStats.percentile(getNanos, 99) / 1e6,
          jacksonP50 / 1e6);
      new WatchFanOut(100, quick ? 200 : 1000, 100, out).run(log, view, server.port(), pod(42));
      return String.format(
          "RATIO list %.2f (edge LIST p50 over Jackson serializing the same list, p50; goal <= 1.5)",
          listP50 / jacksonP50);
    }
  }

  private static ObjectNode pod(int i) {
    ObjectNode pod = EventCodec.json().createObjectNode();
    pod.put("apiVersion", "v1").put("kind", "Pod");
    ObjectNode metadata = pod.putObject("metadata");
    metadata.put("name", "pod-" + i).put("namespace", "default");
    metadata.putObject("labels").put("app", "app-" + (i % 50)).put("tier", "edge");
    ObjectNode spec = pod.putObject("spec").put("nodeName", "edge-1");
    ObjectNode container = spec.putArray("containers").addObject();
    container.put("name", "app").put("image", "registry.local/app:" + (i % 7));
    container.putArray("env").addObject().put("name", "INDEX").put("value", Integer.toString(i));
    pod.putObject("status")
        .put("phase", "Running")
        .put("podIP", "10.0." + (i / 250) + "." + (i % 250));
    return pod;
  }

  private static long usedHeap() throws IOException {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return runtime.totalMemory() - runtime.freeMemory();
  }
}
