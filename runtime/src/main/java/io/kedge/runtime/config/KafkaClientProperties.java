package io.kedge.runtime.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Kafka client settings a deployable passes to every Kafka client it makes (producers, consumers,
 * admin, Kafka Streams): how to reach a secured cluster (security.protocol, sasl.*, ssl.*), read
 * from the Java properties file {@code kafka.client-properties} names. Settings kedge owns for its
 * guarantees are refused, so a file cannot weaken exactly-once or ordering.
 */
public final class KafkaClientProperties {
  public static final ConfigKey<String> KEY =
      ConfigKey.string(
          "kafka.client-properties",
          "",
          "Java properties file of Kafka client settings for every Kafka client of this"
              + " deployable, e.g. security.protocol, sasl.mechanism, sasl.jaas.config,"
              + " ssl.truststore.location (see docs/security.md). Servers come from"
              + " kafka.bootstrap; delivery settings kedge owns are refused.");

  /** Settings kedge chooses itself: its guarantees depend on them. */
  static final Set<String> OWNED =
      Set.of(
          "bootstrap.servers",
          "key.serializer",
          "value.serializer",
          "key.deserializer",
          "value.deserializer",
          "acks",
          "enable.idempotence",
          "isolation.level",
          "enable.auto.commit",
          "group.id",
          "transactional.id",
          "processing.guarantee",
          "application.id");

  private KafkaClientProperties() {}

  /**
   * The settings in {@code file}; none for an empty name.
   *
   * @throws InvalidConfigException naming the key, the file and what is wrong
   */
  public static Map<String, Object> load(String file) {
    if (file.isEmpty()) {
      return Map.of();
    }
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException | IllegalArgumentException e) {
      throw problem(file, "must be a readable Java properties file: " + e.getMessage());
    }
    Map<String, Object> settings = new TreeMap<>();
    for (String name : properties.stringPropertyNames()) {
      if (OWNED.contains(name)) {
        throw problem(
            file,
            "sets "
                + name
                + ", which kedge chooses itself"
                + (name.equals("bootstrap.servers") ? " (use kafka.bootstrap)" : ""));
      }
      settings.put(name, properties.getProperty(name));
    }
    return Map.copyOf(settings);
  }

  private static InvalidConfigException problem(String file, String rule) {
    return new InvalidConfigException(List.of(new ConfigProblem(KEY.name(), file, "", rule)));
  }
}
