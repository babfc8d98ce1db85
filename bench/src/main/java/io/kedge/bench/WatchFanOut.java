package io.kedge.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.log.MemoryLog;
import io.kedge.edge.api.view.View;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceUpsert;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Watch fan-out: {@code watchers} chunked watches on the edge API, then changes appended to the log
 * at a steady rate; each change carries its append time, and every watcher records when it read the
 * event. Reports p50/p99 from log append to watch event delivered.
 */
final class WatchFanOut {
  private static final String STAMP = "\"bench.kedge.io/appended-nanos\":\"";

  private final int watchers;
  private final int changes;
  private final int perSecond;
  private final PrintWriter out;

  WatchFanOut(int watchers, int changes, int perSecond, PrintWriter out) {
    this.watchers = watchers;
    this.changes = changes;
    this.perSecond = perSecond;
    this.out = out;
  }

  /**
   * Runs against the API at {@code port} serving {@code view}; pods are changed via {@code log}.
   */
  String run(MemoryLog log, View view, int port, ObjectNode template) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI watch =
        URI.create(
            "http://127.0.0.1:"
                + port
                + "/api/v1/namespaces/default/pods?watch=true&resourceVersion="
                + view.resourceVersion());
    ConcurrentLinkedQueue<Long> delays = new ConcurrentLinkedQueue<>();
    CountDownLatch done = new CountDownLatch(watchers);
    List<Stream<String>> streams = new ArrayList<>();
    for (int w = 0; w < watchers; w++) {
      HttpResponse<Stream<String>> response =
          http.send(HttpRequest.newBuilder(watch).build(), HttpResponse.BodyHandlers.ofLines());
      Stream<String> lines = response.body();
      streams.add(lines);
      Thread reader =
          new Thread(
              () -> {
                int seen = 0;
                for (var it = lines.iterator(); seen < changes && it.hasNext(); ) {
                  String line = it.next();
                  long now = System.nanoTime();
                  int at = line.indexOf(STAMP);
                  if (at >= 0) {
                    int from = at + STAMP.length();
                    delays.add(now - Long.parseLong(line.substring(from, line.indexOf('"', from))));
                    seen++;
                  }
                }
                done.countDown();
              },
              "bench-watcher-" + w);
      reader.setDaemon(true);
      reader.start();
    }
    Thread.sleep(500); // every watch registered
    long start = System.nanoTime();
    for (int i = 0; i < changes; i++) {
      long due = start + i * (1_000_000_000L / perSecond);
      while (System.nanoTime() < due) {
        Thread.sleep(0, 200_000);
      }
      ObjectNode pod = template.deepCopy();
      pod.withObject("metadata")
          .withObject("annotations")
          .put("bench.kedge.io/appended-nanos", Long.toString(System.nanoTime()));
      log.append(
          KedgeEvent.of(
              URI.create("/kedge/bench"), "", new ResourceUpsert(ObjectKey.of(pod), "", pod)));
    }
    boolean complete = done.await(60, TimeUnit.SECONDS);
    streams.forEach(Stream::close);
    long[] samples = delays.stream().mapToLong(Long::longValue).toArray();
    String line =
        String.format(
            "watch fan-out: %d watchers x %d changes at %d/s: append -> delivered p50 %.2f ms,"
                + " p99 %.2f ms (%d of %d deliveries%s)",
            watchers,
            changes,
            perSecond,
            BenchStats.percentile(samples, 50) / 1e6,
            BenchStats.percentile(samples, 99) / 1e6,
            samples.length,
            (long) watchers * changes,
            complete ? "" : ", INCOMPLETE");
    out.println("bench list: " + line);
    out.flush();
    return line;
  }
}
