package io.kedge.launcher;

import io.kedge.cloud.manifest.ManifestReader;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.mapper.opcua.DemoOpcUaServer;
import io.kedge.mapper.opcua.MapperConfig;
import io.kedge.mapper.opcua.OpcUaMapper;
import io.kedge.runtime.lifecycle.Components;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * What {@code kedge local --demo} adds: the examples (a pod with its ConfigMap, rules, an OPC UA
 * Device and its model) applied in the cloud, an OPC UA demo server whose temperature drifts, and
 * the OPC UA mapper on the first node. The applied YAML is written to {@code <data-dir>/demo}.
 */
public final class LocalDemo implements AutoCloseable {
  static final List<String> EXAMPLES = List.of("pod.yaml", "rules.yaml", "device.yaml");
  static final String DEFAULT_URL = "opc.tcp://127.0.0.1:4840" + DemoOpcUaServer.PATH;

  private final Components parts = new Components();
  private DemoOpcUaServer server;
  private OpcUaMapper mapper;

  private LocalDemo() {}

  public static LocalDemo start(LocalStack stack, LocalConfig config, Consumer<String> progress)
      throws Exception {
    LocalDemo demo = new LocalDemo();
    try {
      demo.startParts(stack, config, progress);
      return demo;
    } catch (Exception e) {
      demo.close();
      throw e;
    }
  }

  private void startParts(LocalStack stack, LocalConfig config, Consumer<String> progress)
      throws Exception {
    server =
        parts.add(
            DemoOpcUaServer.start(
                new DemoOpcUaServer.Options(config.opcuaPort(), "", "", List.of(), true, 0)));
    progress.accept("demo OPC UA server on " + server.url());
    Path dir = config.dataDir().resolve("demo");
    Files.createDirectories(dir);
    for (String example : EXAMPLES) {
      String text = example(example);
      if (example.equals("device.yaml")) {
        // the demo server's address and namespace, should they differ from the example's
        text =
            text.replace(DEFAULT_URL, server.url())
                .replace("ns=2;s=", server.nodeId("").replace(";s=", "") + ";s=");
      }
      Files.writeString(dir.resolve(example), text, StandardCharsets.UTF_8);
    }
    progress.accept("applying the examples in " + dir);
    stack.applyManifests(new ManifestReader().read(dir));
    EdgeNode first = stack.edges().get(0);
    MapperConfig mapperConfig =
        new MapperConfig(
            config.nodes().get(0),
            "http://127.0.0.1:" + first.apiPort(),
            "",
            "",
            "",
            first.mqttUrl(),
            "",
            "",
            false,
            Duration.ofSeconds(5),
            MapperConfig.FULL_REPORT_INTERVAL.defaultValue());
    progress.accept("starting the OPC UA mapper on " + config.nodes().get(0));
    mapper = parts.add(OpcUaMapper.start(mapperConfig));
    mapper.bindMetrics(stack.metrics());
  }

  private static String example(String name) {
    try (InputStream in = LocalDemo.class.getResourceAsStream("/examples/" + name)) {
      if (in == null) {
        throw new IllegalStateException("examples/" + name + " is missing from the kedge jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public DemoOpcUaServer server() {
    return server;
  }

  public OpcUaMapper mapper() {
    return mapper;
  }

  @Override
  public void close() {
    parts.close();
  }
}
