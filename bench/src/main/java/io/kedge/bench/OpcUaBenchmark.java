package io.kedge.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.relay.eventbus.EmbeddedBroker;
import io.kedge.launcher.JvmOptionsFile;
import io.kedge.launcher.Main;
import io.kedge.launcher.MapperCommand;
import io.kedge.runtime.mqtt.MqttClients;
import io.kedge.runtime.net.FreePorts;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.twin.TwinContract;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;

/**
 * {@code kedge bench opcua}: the OPC UA mapper serving N items (100 per device, as a KubeEdge
 * deviceProfile.json lists them) at 1 s sampling, in a process of its own with the edge's JVM
 * options, from a server in another process (Milo's, or node-opcua's with {@code --server
 * node-opcua}) where a tenth of the items change every second. Measured for subscriptions, then for
 * polling, in the same run: the CPU the mapper's process uses (and, beside it, the server's), and
 * the time from a value change on the server to its twin report on the MQTT broker.
 */
final class OpcUaBenchmark {
  private static final int PER_DEVICE = 100;
  private static final String NODE = "bench-1";

  /** Linux's USER_HZ: /proc/PID/stat counts CPU time in these ticks. */
  private static final double TICKS_PER_SECOND = 100;

  private static final Duration WARM_UP = Duration.ofSeconds(20);

  private final int items;
  private final int seconds;
  private final OpcUaBenchServers stack;
  private final PrintWriter out;

  OpcUaBenchmark(boolean quick, OpcUaBenchServers stack, PrintWriter out) {
    this.items = quick ? 2_000 : 10_000;
    this.seconds = quick ? 20 : 60;
    this.stack = stack;
    this.out = out;
  }

  record Result(
      double mapperCpu,
      double serverCpu,
      long p50Millis,
      long p99Millis,
      long reports,
      long changes) {}

  String run() throws Exception {
    Path dir = Files.createTempDirectory("kedge-bench-opcua");
    Process server = null;
    try (EmbeddedBroker broker = EmbeddedBroker.start("127.0.0.1", 0, dir.resolve("mqtt"))) {
      server = stack.start(items, dir);
      String[] ready = awaitLine(server, "READY ", Duration.ofMinutes(2)).split(" ");
      Path profile = dir.resolve("deviceProfile.json");
      Files.write(profile, EventCodec.json().writeValueAsBytes(profile(ready[1], ready[2])));
      progress(
          items
              + " items ("
              + items / PER_DEVICE
              + " devices) at 1 s sampling on "
              + stack.stack()
              + "'s server at "
              + ready[1]
              + ", a tenth changing each second; "
              + seconds
              + " s per mode");
      Result subscribed = measure(dir, broker, profile, server, false);
      progress(summary("subscriptions", subscribed));
      Result polled = measure(dir, broker, profile, server, true);
      progress(summary("polling", polled));
      return String.format(
          "RATIO opcua %.2f (the mapper process's CPU with subscriptions over with polling, %d"
              + " items at 1 s from %s's server; change -> MQTT p99 %d ms with subscriptions)",
          subscribed.mapperCpu() / polled.mapperCpu(),
          items,
          stack.stack(),
          subscribed.p99Millis());
    } finally {
      if (server != null) {
        server.destroyForcibly().waitFor();
      }
      BenchFiles.deleteTree(dir);
    }
  }

  private static String summary(String mode, Result result) {
    return String.format(
        "%s: mapper CPU %.1f%% of one core (server %.1f%%), change -> MQTT p50 %d ms, p99 %d ms"
            + " (%d reports of %d changes)",
        mode,
        result.mapperCpu() * 100,
        result.serverCpu() * 100,
        result.p50Millis(),
        result.p99Millis(),
        result.reports(),
        result.changes());
  }

  private Result measure(
      Path dir, EmbeddedBroker broker, Path profile, Process server, boolean polling)
      throws Exception {
    String mode = polling ? "polling" : "subscriptions";
    Set<String> reporting = ConcurrentHashMap.newKeySet();
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    java.util.concurrent.atomic.AtomicBoolean recording =
        new java.util.concurrent.atomic.AtomicBoolean();
    MqttClient edge =
        MqttClients.subscribed(
            broker.url(),
            "bench-edge-" + System.nanoTime(),
            TwinContract.ALL_TWIN_UPDATES,
            (topic, message) -> {
              long now = System.currentTimeMillis();
              reporting.add(topic);
              if (!recording.get()) {
                return;
              }
              TwinContract.parseReport(message.getPayload())
                  .forEach(
                      (prop, value) -> {
                        try {
                          latencies.add(now - (long) Double.parseDouble(value.value()));
                        } catch (NumberFormatException e) {
                          // not a value the server set
                        }
                      });
            });
    Path config = dir.resolve("mapper-" + mode + ".yaml");
    Files.writeString(config, "mapper:\n  polling: " + polling + "\n  full-report-interval: 1h\n");
    Process mapper =
        java(
            JvmOptionsFile.edge(), // as ./kedge and the mapper image run it
            List.of(
                Main.class.getName(),
                "mapper",
                "opcua",
                "--node",
                NODE,
                "--mqtt",
                broker.url(),
                "--device-profile",
                profile.toString(),
                "--ops-port",
                Integer.toString(FreePorts.on("127.0.0.1")),
                "--config",
                config.toString()));
    try {
      awaitLine(mapper, MapperCommand.OpcUa.READY_LINE, Duration.ofMinutes(2));
      int devices = (items + PER_DEVICE - 1) / PER_DEVICE;
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (reporting.size() < devices) {
        if (System.nanoTime() > deadline || !mapper.isAlive()) {
          throw new IllegalStateException(
              mode + ": " + reporting.size() + " of " + devices + " devices reported");
        }
        Thread.sleep(100);
      }
      progress(mode + ": all " + devices + " devices report; warming up for " + WARM_UP);
      // past the start's compilation, which costs more CPU than the work measured
      Thread.sleep(WARM_UP.toMillis());
      recording.set(true);
      long mapperBefore = cpuTicks(mapper);
      long serverBefore = cpuTicks(server);
      long wallBefore = System.nanoTime();
      Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
      double wall = (System.nanoTime() - wallBefore) / 1e9;
      long mapperTicks = cpuTicks(mapper) - mapperBefore;
      long serverTicks = cpuTicks(server) - serverBefore;
      Thread.sleep(2_000); // the reports of the window's last changes
      recording.set(false);
      long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
      return new Result(
          mapperTicks / TICKS_PER_SECOND / wall,
          serverTicks / TICKS_PER_SECOND / wall,
          BenchStats.percentile(sorted, 50),
          BenchStats.percentile(sorted, 99),
          sorted.length,
          (long) (wall * Math.max(1, items / 10)));
    } finally {
      mapper.destroy();
      if (!mapper.waitFor(30, TimeUnit.SECONDS)) {
        mapper.destroyForcibly().waitFor();
      }
      edge.disconnect();
      edge.close();
    }
  }

  /** A KubeEdge deviceProfile.json: the items as properties of devices of 100, one model. */
  private ObjectNode profile(String url, String namespace) {
    ObjectNode profile = EventCodec.json().createObjectNode();
    ArrayNode instances = profile.putArray("deviceInstances");
    ObjectNode model = profile.putArray("deviceModels").addObject().put("name", "bench-model");
    ArrayNode modelProperties = model.putArray("properties");
    ArrayNode protocols = profile.putArray("protocols");
    for (int d = 0; d * PER_DEVICE < items; d++) {
      String device = "bench-" + d;
      ObjectNode instance =
          instances
              .addObject()
              .put("id", device)
              .put("name", device)
              .put("protocol", "opcua-" + device)
              .put("model", "bench-model");
      ArrayNode visitors = instance.putArray("propertyVisitors");
      for (int i = d * PER_DEVICE; i < Math.min(items, (d + 1) * PER_DEVICE); i++) {
        ObjectNode visitor = visitors.addObject().put("name", "p" + i).put("propertyName", "p" + i);
        visitor.put("collectCycle", Duration.ofSeconds(1).toNanos());
        visitor.putObject("visitorConfig").put("nodeID", "ns=" + namespace + ";s=Bulk" + i);
      }
      protocols
          .addObject()
          .put("name", "opcua-" + device)
          .put("protocol", "opcua")
          .putObject("protocolConfig")
          .put("url", url)
          .put("securityPolicy", "None");
    }
    for (int i = 0; i < items; i++) {
      modelProperties
          .addObject()
          .put("name", "p" + i)
          .put("dataType", "double")
          .put("accessMode", "ReadOnly");
    }
    return profile;
  }

  /** A JVM running {@code mainAndArgs} on this process's classpath; its output is read. */
  private static Process java(List<String> options, List<String> mainAndArgs) throws IOException {
    return new ProcessBuilder(EdgeProcess.javaCommand(options, mainAndArgs))
        .redirectErrorStream(true)
        .start();
  }

  /** Reads the process's output until a line starting with {@code prefix}; the rest is drained. */
  private static String awaitLine(Process process, String prefix, Duration limit) throws Exception {
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    var found = new java.util.concurrent.CompletableFuture<String>();
    Thread reader =
        new Thread(
            () -> {
              try {
                String line;
                while ((line = lines.readLine()) != null) {
                  if (!found.isDone() && line.startsWith(prefix)) {
                    found.complete(line);
                  }
                }
                found.completeExceptionally(
                    new IllegalStateException(
                        "the process ended (exit " + process.waitFor() + ") before " + prefix));
              } catch (Exception e) {
                found.completeExceptionally(e);
              }
            },
            "bench-opcua-output");
    reader.setDaemon(true);
    reader.start();
    return found.get(limit.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** User and system CPU ticks the process has used so far (/proc/PID/stat). */
  private static long cpuTicks(Process process) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  private void progress(String message) {
    out.println("kedge bench opcua: " + message);
    out.flush();
  }
}
