package io.kedge.cloud.rules;

import io.kedge.runtime.config.Config;
import io.kedge.runtime.config.ConfigKey;
import io.kedge.runtime.http.HttpBounds;
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
    Duration servicebusTimeout,
    HttpBounds.Limits ingressLimits) {

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

  public static final ConfigKey<Integer> INGRESS_MAX_CONNECTIONS =
      ConfigKey.integer(
          "rules.ingress-max-connections",
          4096,
          1,
          1_000_000,
          "Connections the REST ingress holds at most; a new one beyond gets 503 with"
              + " Retry-After.");
  public static final ConfigKey<Integer> INGRESS_MAX_IN_FLIGHT =
      ConfigKey.integer(
          "rules.ingress-max-in-flight",
          1024,
          1,
          1_000_000,
          "Requests the REST ingress handles at once (servicebus calls wait for the edge's"
              + " answer); one beyond gets 429 with Retry-After.");
  public static final ConfigKey<Duration> INGRESS_IDLE_TIMEOUT =
      ConfigKey.duration(
          "rules.ingress-idle-timeout",
          Duration.ofSeconds(90),
          Duration.ofSeconds(1),
          "A REST ingress connection with no traffic this long is closed (longer than"
              + " rules.servicebus-timeout, so a waiting servicebus call is not cut).");
  public static final ConfigKey<Duration> INGRESS_REQUEST_TIMEOUT =
      ConfigKey.duration(
          "rules.ingress-request-timeout",
          Duration.ofSeconds(30),
          Duration.ofMillis(100),
          "A request must arrive whole (headers and body) within this time of its first byte,"
              + " else 408 and the connection is closed.");

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
        config.get(SERVICEBUS_TIMEOUT),
        new HttpBounds.Limits(
            config.get(INGRESS_MAX_CONNECTIONS),
            config.get(INGRESS_MAX_IN_FLIGHT),
            config.get(INGRESS_IDLE_TIMEOUT),
            config.get(INGRESS_REQUEST_TIMEOUT)));
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
        SERVICEBUS_TIMEOUT.defaultValue(),
        new HttpBounds.Limits(
            INGRESS_MAX_CONNECTIONS.defaultValue(),
            INGRESS_MAX_IN_FLIGHT.defaultValue(),
            INGRESS_IDLE_TIMEOUT.defaultValue(),
            INGRESS_REQUEST_TIMEOUT.defaultValue()));
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
        servicebusTimeout,
        ingressLimits);
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
        timeout,
        ingressLimits);
  }

  /** The same, with the REST ingress bounded by {@code limits}. */
  RulesConfig withIngressLimits(HttpBounds.Limits limits) {
    return new RulesConfig(
        enabled,
        ingressBind,
        ingressPort,
        maxBodyBytes,
        deliveryAttempts,
        deliveryBackoff,
        deliveryTimeout,
        deliveryConcurrency,
        servicebusTimeout,
        limits);
  }
}
