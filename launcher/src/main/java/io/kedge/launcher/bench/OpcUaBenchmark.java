package io.kedge.launcher.bench;

import io.kedge.edge.relay.eventbus.EmbeddedBroker;
import io.kedge.mapper.opcua.DemoOpcUaServer;
import io.kedge.mapper.opcua.DeviceSource;
import io.kedge.mapper.opcua.DeviceSpec;
import io.kedge.mapper.opcua.MapperConfig;
import io.kedge.mapper.opcua.OpcUaMapper;
import io.kedge.runtime.mqtt.MqttClients;
import io.kedge.schemas.twin.TwinContract;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.MqttClient;

/**
 * {@code kedge bench opcua}: the OPC UA mapper serving N items (100 per device) at 1 s sampling on
 * a local Milo server, 10% of them changing every second. Measured for subscriptions, then for
 * polling, in the same run: the process's CPU share (server, mapper and broker together, the same
 * in both), and the time from a value change on the server to its twin report on MQTT.
 */
final class OpcUaBenchmark {
  private static final int PER_DEVICE = 100;

  private final int items;
  private final int seconds;
  private final PrintWriter out;

  OpcUaBenchmark(boolean quick, PrintWriter out) {
    this.items = quick ? 2_000 : 10_000;
    this.seconds = quick ? 20 : 60;
    this.out = out;
  }

  record Result(double cpuShare, long p50Millis, long p99Millis, long reports, long changes) {}

  String run() throws Exception {
    Path dir = Files.createTempDirectory("kedge-bench-opcua");
    try {
      progress(
          items
              + " items ("
              + items / PER_DEVICE
              + " devices), 1 s sampling, "
              + seconds
              + " s per mode");
      Result subscribed = measure(dir.resolve("subscribed"), false);
      progress(summary("subscriptions", subscribed));
      Result polled = measure(dir.resolve("polled"), true);
      progress(summary("polling", polled));
      return String.format(
          "RATIO opcua %.2f (CPU with subscriptions over CPU with polling, %d items at 1 s)",
          subscribed.cpuShare() / polled.cpuShare(), items);
    } finally {
      BenchFiles.deleteTree(dir);
    }
  }

  private static String summary(String mode, Result result) {
    return String.format(
        "%s: CPU %.1f%% of %d cores, change -> MQTT p50 %d ms, p99 %d ms (%d of %d changes"
            + " reported)",
        mode,
        result.cpuShare() * 100,
        Runtime.getRuntime().availableProcessors(),
        result.p50Millis(),
        result.p99Millis(),
        result.reports(),
        result.changes());
  }

  private Result measure(Path dir, boolean polling) throws Exception {
    Map<String, Long> changedAt = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    AtomicLong changes = new AtomicLong();
    try (DemoOpcUaServer server =
            DemoOpcUaServer.start(new DemoOpcUaServer.Options(0, "", "", List.of(), false, items));
        EmbeddedBroker broker = EmbeddedBroker.start("127.0.0.1", 0, dir.resolve("mqtt"))) {
      MqttClient edge =
          MqttClients.subscribed(
              broker.url(),
              "bench-edge-" + System.nanoTime(),
              TwinContract.ALL_TWIN_UPDATES,
              (topic, message) -> {
                long now = System.nanoTime();
                TwinContract.parseReport(message.getPayload())
                    .forEach(
                        (prop, value) -> {
                          Long at = changedAt.remove(prop + "=" + value.value());
                          if (at != null) {
                            latencies.add(now - at);
                          }
                        });
              });
      List<DeviceSpec> devices = devices(server);
      MapperConfig config =
          new MapperConfig(
              "bench-1",
              "http://127.0.0.1:1",
              "",
              "",
              "",
              broker.url(),
              "",
              "",
              polling,
              Duration.ofSeconds(5),
              MapperConfig.FULL_REPORT_INTERVAL.defaultValue());
      try (OpcUaMapper mapper =
          OpcUaMapper.start(
              config,
              new DeviceSource() {
                @Override
                public void start(Listener listener) {
                  devices.forEach(listener::upsert);
                }

                @Override
                public void close() {}
              })) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (mapper.onlineCount() < devices.size() && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        progress(
            (polling ? "polling" : "subscriptions")
                + ": "
                + mapper.onlineCount()
                + " sessions up; warming up");
        Thread.sleep(5_000);
        latencies.clear();
        var os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpuBefore = os.getProcessCpuTime();
        long wallBefore = System.nanoTime();
        int perSecond = Math.max(1, items / 10);
        for (int s = 0; s < seconds; s++) {
          long tick = System.nanoTime();
          for (int i = 0; i < perSecond; i++) {
            int item = (int) ((s * (long) perSecond + i) % items);
            double value = s * 1000.0 + i + 0.5;
            String prop = "p" + item;
            changedAt.put(
                prop + "=" + io.kedge.mapper.opcua.ValueCodec.format(value), System.nanoTime());
            server.set("Bulk" + item, value);
            changes.incrementAndGet();
          }
          long rest = 1_000_000_000L - (System.nanoTime() - tick);
          if (rest > 0) {
            Thread.sleep(rest / 1_000_000, (int) (rest % 1_000_000));
          }
        }
        long cpu = os.getProcessCpuTime() - cpuBefore;
        long wall = System.nanoTime() - wallBefore;
        Thread.sleep(3_000); // the last changes' reports
        edge.disconnect();
        edge.close();
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Result(
            (double) cpu / wall / Runtime.getRuntime().availableProcessors(),
            BenchStats.percentile(sorted, 50) / 1_000_000,
            BenchStats.percentile(sorted, 99) / 1_000_000,
            sorted.length,
            changes.get());
      }
    }
  }

  private List<DeviceSpec> devices(DemoOpcUaServer server) {
    List<DeviceSpec> devices = new ArrayList<>();
    DeviceSpec.Endpoint endpoint =
        new DeviceSpec.Endpoint(
            server.url(), "None", "None", "", "", "", "", Duration.ofSeconds(10));
    for (int d = 0; d * PER_DEVICE < items; d++) {
      List<DeviceSpec.Property> properties = new ArrayList<>();
      for (int i = d * PER_DEVICE; i < Math.min(items, (d + 1) * PER_DEVICE); i++) {
        properties.add(
            new DeviceSpec.Property(
                "p" + i, server.nodeId("Bulk" + i), Duration.ofSeconds(1), "double", false));
      }
      devices.add(new DeviceSpec("bench-" + d, "default", endpoint, List.copyOf(properties)));
    }
    return devices;
  }

  private void progress(String message) {
    out.println("kedge bench opcua: " + message);
    out.flush();
  }
}
