package io.kedge.it;

import io.kedge.launcher.EdgeCommand;
import io.kedge.launcher.Main;
import io.kedge.testkit.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code kedge edge} as its own process, as an operator runs it, so a test can kill -9 it. */
final class EdgeProcess implements AutoCloseable {
  private static final Pattern API = Pattern.compile("edge API\\s+http://127\\.0\\.0\\.1:(\\d+)");

  private final String node;
  private final String bootstrap;
  private final Path dataDir;
  private final Path config;
  private final int apiPort;
  private ChildJvm jvm;
  private int starts;

  EdgeProcess(String node, String bootstrap, String topicPrefix, Path dir, int apiPort) {
    this.node = node;
    this.bootstrap = bootstrap;
    this.dataDir = dir.resolve("data");
    this.config = dir.resolve("edge.yaml");
    this.apiPort = apiPort;
    try {
      Files.createDirectories(dir);
      Files.writeString(
          config,
          "topics:\n  prefix: "
              + topicPrefix
              + "\nedge:\n  bookmark-interval: 2s\nops:\n  port: 0\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts the process and waits for its ready line. */
  EdgeProcess start() {
    starts++;
    jvm =
        ChildJvm.start(
            "edge " + node,
            Main.class,
            ChildJvm.chronicleFlags(),
            List.of(
                "edge",
                "--node",
                node,
                "--kafka",
                bootstrap,
                "--data-dir",
                dataDir.toString(),
                "--api-port",
                Integer.toString(apiPort),
                "--mqtt-port",
                "0",
                "--config",
                config.toString()),
            dataDir.resolveSibling("edge-" + starts + ".log"));
    jvm.awaitOutput(Pattern.compile(Pattern.quote(EdgeCommand.READY_LINE)), Duration.ofSeconds(90));
    return this;
  }

  ChildJvm jvm() {
    return jvm;
  }

  Path logDir() {
    return dataDir.resolve("log");
  }

  String url() {
    Matcher m = API.matcher(jvm.readOutput());
    if (!m.find()) {
      throw new IllegalStateException("edge process printed no API address");
    }
    return "http://127.0.0.1:" + m.group(1);
  }

  /** GET on the edge API; returns the body. */
  String get(String path) {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(java.net.URI.create(url() + path))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  void kill9() {
    jvm.kill9();
  }

  void stop() {
    jvm.stop(Duration.ofSeconds(60));
  }

  @Override
  public void close() {
    if (jvm != null) {
      jvm.close();
    }
  }
}
