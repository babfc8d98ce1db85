package io.kedge.cloud;

import io.kedge.cloud.admission.WebhookConfig;
import io.kedge.cloud.admission.WebhookServer;
import io.kedge.cloud.router.Router;
import io.kedge.cloud.rules.Rules;
import io.kedge.cloud.rules.RulesConfig;
import io.kedge.runtime.lifecycle.Components;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;

/**
 * The running cloud part: the ROUTER (with the standalone uplink applier) and the offline-autonomy
 * webhook, their metrics bound to one registry.
 */
public final class Cloud implements AutoCloseable {
  private final Components parts = new Components();
  private Router router;
  private WebhookServer webhook;
  private Rules rules;

  private Cloud() {}

  public static Cloud start(
      CloudConfig config,
      WebhookConfig webhookConfig,
      RulesConfig rulesConfig,
      MeterRegistry metrics)
      throws InterruptedException {
    Cloud cloud = new Cloud();
    try {
      cloud.router = cloud.parts.add(Router.start(config));
      KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(cloud.router.streams());
      streamsMetrics.bindTo(metrics);
      cloud.parts.add(streamsMetrics);
      Gauge.builder("kedge_router_running", cloud.router, r -> r.running() ? 1 : 0)
          .description("1 while the router's Kafka Streams instance is RUNNING")
          .register(metrics);
      if (webhookConfig.enabled()) {
        cloud.webhook = cloud.parts.add(webhookConfig.start(config.dataDir()));
        WebhookServer hook = cloud.webhook;
        Gauge.builder("kedge_webhook_reviews", hook, WebhookServer::reviews)
            .description("AdmissionReviews answered by the offline-autonomy webhook")
            .register(metrics);
        Gauge.builder("kedge_webhook_patched", hook, WebhookServer::patched)
            .description("AdmissionReviews answered with a tolerations patch")
            .register(metrics);
      }
      if (rulesConfig.enabled()) {
        cloud.rules =
            cloud.parts.add(
                Rules.start(
                    rulesConfig,
                    config.kafkaClientConfig(),
                    config.topics(),
                    config.applicationId() + "-" + Rules.newInstanceId(),
                    metrics));
      }
      return cloud;
    } catch (RuntimeException | InterruptedException e) {
      cloud.close();
      throw e;
    }
  }

  public Router router() {
    return router;
  }

  /** Rule routing, or null when disabled. */
  public Rules rules() {
    return rules;
  }

  /** The webhook, or null when disabled. */
  public WebhookServer webhook() {
    return webhook;
  }

  /** Null when ready, else why not: what {@code /readyz} answers. */
  public String unreadyReason() {
    if (!router.running()) {
      return "the router is " + router.state();
    }
    return rules == null ? null : rules.unreadyReason();
  }

  @Override
  public void close() {
    parts.close();
  }
}
