package io.kedge.runtime.config;

/** Keys every deployable shares, defined once so their names, defaults and rules agree. */
public final class CommonKeys {
  /** Kafka bootstrap servers. */
  public static final ConfigKey<String> KAFKA_BOOTSTRAP =
      ConfigKey.requiredString("kafka.bootstrap", "Kafka bootstrap servers, host:port[,host:port].")
          .withRule(
              s -> s.matches("[^,:\\s]+:\\d{1,5}(,[^,:\\s]+:\\d{1,5})*"),
              "must be host:port[,host:port...]");

  /** Prefix of every kedge topic, so several installations can share a Kafka cluster. */
  public static final ConfigKey<String> TOPIC_PREFIX =
      ConfigKey.string("topics.prefix", "kedge", "Prefix of every kedge topic.")
          .withRule(
              p -> p.matches("[a-zA-Z0-9._-]{1,100}"),
              "must be 1-100 characters of [a-zA-Z0-9._-]");

  private CommonKeys() {}
}
