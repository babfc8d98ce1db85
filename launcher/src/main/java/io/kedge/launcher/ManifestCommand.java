package io.kedge.launcher;

import io.kedge.cloud.manifest.Manifest;
import io.kedge.cloud.manifest.ManifestException;
import io.kedge.cloud.manifest.ManifestPublisher;
import io.kedge.cloud.manifest.ManifestReader;
import io.kedge.runtime.config.ConfigException;
import io.kedge.runtime.config.KafkaClientProperties;
import io.kedge.schemas.KedgeTopics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Shared options and flow of {@code kedge apply} and {@code kedge delete}. */
abstract class ManifestCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-f", "--filename"},
      required = true,
      paramLabel = "FILE|DIR",
      description = "Manifest file or directory.")
  Path path;

  @Option(
      names = "--kafka",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:9092",
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  String kafka;

  @Option(
      names = "--kafka-client-properties",
      paramLabel = "FILE",
      defaultValue = "",
      description =
          "Java properties file of Kafka client settings for a secured cluster"
              + " (security.protocol, sasl.*, ssl.*; see docs/security.md).")
  String kafkaClientProperties;

  @Option(
      names = "--topic-prefix",
      paramLabel = "PREFIX",
      defaultValue = KedgeTopics.DEFAULT_PREFIX,
      description = "Topic prefix (default: ${DEFAULT-VALUE}).")
  String prefix;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description = "How long to wait for Kafka (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  abstract boolean upsert();

  abstract String verb();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Manifest> manifests;
    Map<String, Object> clientSettings;
    try {
      clientSettings = KafkaClientProperties.load(kafkaClientProperties);
      manifests = new ManifestReader().read(path);
    } catch (ManifestException | ConfigException e) {
      err.println("kedge: " + e.getMessage());
      return KedgeCommand.CONFIG_ERROR;
    }
    KedgeTopics topics = new KedgeTopics(prefix, 1, Duration.ofDays(7));
    try (ManifestPublisher publisher =
        new ManifestPublisher(kafka, clientSettings, topics, Duration.ofSeconds(timeoutSeconds))) {
      java.util.function.Consumer<Manifest> report =
          m ->
              out.println(
                  m.key().kind().toLowerCase(java.util.Locale.ROOT)
                      + "/"
                      + m.key().name()
                      + (m.key().namespace().isEmpty() ? "" : " -n " + m.key().namespace())
                      + " "
                      + verb());
      if (upsert()) {
        publisher.apply(manifests, report);
      } else {
        publisher.delete(manifests, report);
      }
    } catch (RuntimeException e) {
      err.println("kedge: " + e.getMessage());
      return 1;
    }
    out.flush();
    return 0;
  }
}
