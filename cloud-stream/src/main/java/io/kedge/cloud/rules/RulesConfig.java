package io.kedge.cloud.rules;

import io.kedge.runtime.config.Config;
import io.kedge.runtime.config.ConfigKey;
import java.time.Duration;

/** Configuration of rule routing ({@code rules.*}): the REST ingress and cloud deliveries. */
public record RulesConfig(
    boolean enabled,
    String ingressBind,
    int ingressPort,
    long maxBodyBytes,
    int deliveryAttempts,
    Duration deliveryBackoff,
    Duration deliveryTimeout,
    int deliveryConcurrency,
    Duration servicebusTimeout) {

  public static final ConfigKey<Boolean> ENABLED =
      ConfigKey.bool("rules.enabled", true, "Route messages by Rules (REST ingress, deliveries).");
  public static final ConfigKey<String> INGRESS_BIND =
      ConfigKey.string("rules.ingress-bind", "0.0.0.0", "Address the REST ingress binds.");
  public static final ConfigKey<Integer> INGRESS_PORT =
      ConfigKey.port(
          "rules.ingress-port",
          9443,
          true,
          "Port of the REST ingress: POST /{node}/{namespace}/{path} (KubeEdge's router port).");
  public static final ConfigKey<Long> MAX_BODY =
      ConfigKey.bytes(
          "rules.max-body", 12L << 20, 1, "Largest REST ingress body; larger ones get 413.");
  public static final ConfigKey<Integer> DELIVERY_ATTEMPTS =
      ConfigKey.integer(
          "rules.delivery-attempts",
          5,
          1,
          100,
          "HTTP attempts per eventbus -> rest message before it goes to kedge.deadletter.");
  public static final ConfigKey<Duration> DELIVERY_BACKOFF =
      ConfigKey.duration(
          "rules.delivery-backoff",
          Duration.ofSeconds(1),
          Duration.ofMillis(1),
          "Wait before the second attempt; it doubles for each further one.");
  public static final ConfigKey<Duration> DELIVERY_TIMEOUT =
      ConfigKey.duration(
          "rules.delivery-timeout",
          Duration.ofSeconds(10),
          Duration.ofMillis(100),
          "How long one HTTP attempt to a rule's target may take.");
  public static final ConfigKey<Integer> DELIVERY_CONCURRENCY =
      ConfigKey.integer(
          "rules.delivery-concurrency", 4, 1, 1000, "HTTP requests in flight per rule.");

  public static final ConfigKey<Duration> SERVICEBUS_TIMEOUT =
      ConfigKey.duration(
          "rules.servicebus-timeout",
          Duration.ofSeconds(30),
          Duration.ofMillis(100),
          "How long the REST ingress waits for an edge service's answer before 504.");

  public static RulesConfig from(Config config) {
    return new RulesConfig(
        config.get(ENABLED),
        config.get(INGRESS_BIND),
        config.get(INGRESS_PORT),
        config.get(MAX_BODY),
        config.get(DELIVERY_ATTEMPTS),
        config.get(DELIVERY_BACKOFF),
        config.get(DELIVERY_TIMEOUT),
        config.get(DELIVERY_CONCURRENCY),
        config.get(SERVICEBUS_TIMEOUT));
  }

  /** Defaults, on {@code ingressPort} (0: a free one). */
  public static RulesConfig defaults(String bind, int ingressPort) {
    return new RulesConfig(
        true,
        bind,
        ingressPort,
        MAX_BODY.defaultValue(),
        DELIVERY_ATTEMPTS.defaultValue(),
        DELIVERY_BACKOFF.defaultValue(),
        DELIVERY_TIMEOUT.defaultValue(),
        DELIVERY_CONCURRENCY.defaultValue(),
        SERVICEBUS_TIMEOUT.defaultValue());
  }

  public RulesConfig withDelivery(int attempts, Duration backoff, Duration timeout) {
    return new RulesConfig(
        enabled,
        ingressBind,
        ingressPort,
        maxBodyBytes,
        attempts,
        backoff,
        timeout,
        deliveryConcurrency,
        servicebusTimeout);
  }

  public RulesConfig withServicebusTimeout(Duration timeout) {
    return new RulesConfig(
        enabled,
        ingressBind,
        ingressPort,
        maxBodyBytes,
        deliveryAttempts,
        deliveryBackoff,
        deliveryTimeout,
        deliveryConcurrency,
        timeout);
  }
}
