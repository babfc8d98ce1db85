package io.kedge.launcher;

import io.kedge.runtime.config.KafkaClientProperties;
import io.kedge.schemas.KedgeTopics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** How a tool command reaches the kedge topics: the options {@code apply}, {@code node} share. */
final class KafkaOptions {
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

  /**
   * The client settings of the properties file.
   *
   * @throws io.kedge.runtime.config.InvalidConfigException naming the file and what is wrong
   */
  Map<String, Object> clientSettings() {
    return KafkaClientProperties.load(kafkaClientProperties);
  }

  /** The client settings with the servers, for an Admin client. */
  Map<String, Object> adminSettings() {
    Map<String, Object> settings = new HashMap<>(clientSettings());
    settings.put("bootstrap.servers", kafka);
    return settings;
  }

  KedgeTopics topics() {
    return new KedgeTopics(prefix, 1, Duration.ofDays(7));
  }

  Duration timeout() {
    return Duration.ofSeconds(timeoutSeconds);
  }
}
