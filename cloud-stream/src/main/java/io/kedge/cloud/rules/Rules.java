package io.kedge.cloud.rules;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.cloud.kube.KubeWrites;
import io.kedge.cloud.router.NodeTrust;
import io.kedge.cloud.topics.NodeTopicProducers;
import io.kedge.runtime.http.HttpBounds;
import io.kedge.runtime.lifecycle.Components;
import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourcePartitioner;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.schemas.RuleMessage;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rule routing in the cloud, standalone mode: the RuleBook fed from {@code kedge.resources}, the
 * REST ingress (rest → eventbus), the eventbus → rest delivery, and the status of invalid rules.
 */
public final class Rules implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Rules.class);

  private final Components parts = new Components();
  private final RuleBook book = new RuleBook();
  private final EventCodec codec = new EventCodec();
  private ResourceFollower follower;
  private RestIngress ingress;
  private EventbusDelivery delivery;
  private KafkaProducer<String, byte[]> producer;
  private KedgeTopics topics;
  private RuleStatusMirror statusMirror;
  private RuleResponses responses;
  private KafkaSourceBridge kafkaSources;
  private CdcSources cdc;
  private RuleCounters cdcCounters;

  private HttpBounds ingressBounds;

  /** Which node sent an eventbus message or a servicebus answer: checked when signed. */
  private NodeTrust trust;

  private Rules() {}

  /**
   * Starts rule routing against the brokers in {@code kafka}.
   *
   * @param instance distinguishes this cloud instance's transactional id
   */
  public static Rules start(
      RulesConfig config,
      Map<String, Object> kafka,
      KedgeTopics topics,
      String instance,
      MeterRegistry metrics)
      throws InterruptedException {
    return start(config, kafka, topics, instance, metrics, null, NodeTrust.trusting());
  }

  /**
   * Rules whose statuses are also written to the Rule objects of a Kubernetes cluster through
   * {@code kubernetes} (Kubernetes mode), unless it is null.
   */
  public static Rules start(
      RulesConfig config,
      Map<String, Object> kafka,
      KedgeTopics topics,
      String instance,
      MeterRegistry metrics,
      KubeWrites kubernetes,
      NodeTrust trust)
      throws InterruptedException {
    Rules rules = new Rules();
    rules.trust = trust;
    try {
      if (kubernetes != null) {
        rules.statusMirror = new RuleStatusMirror(rules.book, kubernetes);
      }
      rules.startParts(config, kafka, topics, instance, metrics);
      return rules;
    } catch (RuntimeException | InterruptedException e) {
      rules.close();
      throw e;
    }
  }

  private void startParts(
      RulesConfig config,
      Map<String, Object> kafka,
      KedgeTopics topics,
      String instance,
      MeterRegistry metrics)
      throws InterruptedException {
    this.topics = topics;
    Map<String, Object> followProps = new HashMap<>(kafka);
    followProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    followProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    follower =
        parts.add(
            new ResourceFollower(
                    new KafkaConsumer<>(
                        followProps, new StringDeserializer(), new ByteArrayDeserializer()),
                    topics.resources().name(),
                    codec,
                    RuleBook::follows,
                    book::apply,
                    book::applyStatus)
                .start());

    Map<String, Object> producerProps = new HashMap<>(kafka);
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    // rule messages go to node topics an event reaches rarely (see NodeTopicProducers)
    producerProps.putAll(NodeTopicProducers.settings());
    // rule statuses go to kedge.resources, placed as every producer there places them
    producerProps.putAll(ResourcePartitioner.producerSettings(topics.resources().name()));
    producer =
        new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
    KafkaProducer<String, byte[]> statusProducer = producer;
    parts.add(() -> statusProducer.close(java.time.Duration.ofSeconds(5)));
    Admin admin = Admin.create(kafka);
    parts.add(() -> admin.close(java.time.Duration.ofSeconds(5)));
    KnownTopics knownTopics = new KnownTopics(admin);

    Map<String, Object> answersProps = new HashMap<>(kafka);
    answersProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    responses =
        parts.add(
            new RuleResponses(
                    new KafkaConsumer<>(
                        answersProps, new StringDeserializer(), new ByteArrayDeserializer()),
                    topics.upstream().name(),
                    codec,
                    trust)
                .start());
    Map<String, Object> ingressTx = new HashMap<>(producerProps);
    ingressTx.put(
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, topics.prefix() + ".rules-ingress-" + instance);
    IngressCommits commits =
        parts.add(
            new IngressCommits(
                    () ->
                        new KafkaProducer<>(
                            ingressTx, new StringSerializer(), new ByteArraySerializer()),
                    new RuleCounters(book, codec, topics.resources().name(), metrics),
                    Integer.parseInt(
                        ingressTx
                            .getOrDefault(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1 << 20)
                            .toString()))
                .start());
    ingressBounds = new HttpBounds(config.ingressLimits());
    ingress =
        parts.add(
            RestIngress.start(
                config.ingressBind(),
                config.ingressPort(),
                config.maxBodyBytes(),
                book,
                new RestIngress.Sender() {
                  @Override
                  public CompletableFuture<Void> send(
                      RuleMessage message, RuleBook.Route countFor) {
                    return commits.store(
                        codec.toRecord(
                            topics.node(message.node()).name(),
                            message.messageId(),
                            KedgeEvent.of(URI.create("/kedge/rules/ingress"), "", message)),
                        countFor);
                  }

                  @Override
                  public CompletableFuture<Void> sendToTopic(
                      String topic, String key, byte[] payload, RuleBook.Route rule) {
                    if (!knownTopics.exists(topic)) {
                      String error = "kafka topic " + topic + " does not exist";
                      commits.count(rule, error);
                      return CompletableFuture.failedFuture(new IllegalStateException(error));
                    }
                    return commits.store(new ProducerRecord<>(topic, key, payload), rule);
                  }

                  @Override
                  public CompletableFuture<Void> count(RuleBook.Route rule, String error) {
                    return commits.count(rule, error);
                  }
                },
                responses,
                config.servicebusTimeout(),
                ingressBounds));

    Map<String, Object> groupProps = new HashMap<>(kafka);
    groupProps.put(ConsumerConfig.GROUP_ID_CONFIG, topics.prefix() + ".rules-delivery");
    groupProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    groupProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    groupProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    Map<String, Object> txProps = new HashMap<>(producerProps);
    txProps.put(
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, topics.prefix() + ".rules-delivery-" + instance);
    KafkaProducer<String, byte[]> txProducer =
        new KafkaProducer<>(txProps, new StringSerializer(), new ByteArraySerializer());
    // closed after the delivery that uses it: parts close in reverse order
    parts.add(() -> txProducer.close(java.time.Duration.ofSeconds(5)));
    delivery =
        parts.add(
            new EventbusDelivery(
                    book,
                    new KafkaConsumer<>(
                        groupProps, new StringDeserializer(), new ByteArrayDeserializer()),
                    txProducer,
                    topics.upstream().name(),
                    topics.resources().name(),
                    topics.deadletter().name(),
                    config,
                    codec,
                    follower.loaded(),
                    metrics,
                    knownTopics,
                    trust)
                .start());

    Map<String, Object> sourceGroup = new HashMap<>(groupProps);
    sourceGroup.put(ConsumerConfig.GROUP_ID_CONFIG, topics.prefix() + ".rules-kafka-source");
    Map<String, Object> sourceTx = new HashMap<>(txProps);
    sourceTx.put(
        ProducerConfig.TRANSACTIONAL_ID_CONFIG,
        topics.prefix() + ".rules-kafka-source-" + instance);
    KafkaProducer<String, byte[]> sourceProducer =
        new KafkaProducer<>(sourceTx, new StringSerializer(), new ByteArraySerializer());
    parts.add(() -> sourceProducer.close(java.time.Duration.ofSeconds(5)));
    kafkaSources =
        parts.add(
            new KafkaSourceBridge(
                    book,
                    new KafkaConsumer<>(
                        sourceGroup, new StringDeserializer(), new ByteArrayDeserializer()),
                    sourceProducer,
                    topics,
                    codec,
                    follower.loaded(),
                    metrics)
                .start());

    cdcCounters = new RuleCounters(book, codec, topics.resources().name(), metrics);
    cdc =
        parts.add(
            new CdcSources(book, producer, topics, kafka, codec, follower::caughtUp, cdcCounters)
                .start());
    ScheduledExecutorService statusTimer = DaemonThreads.scheduled("kedge-rules-status");
    statusTimer.scheduleWithFixedDelay(this::writeStatuses, 2, 2, TimeUnit.SECONDS);
    parts.add(statusTimer::shutdownNow);

    ingressBounds.register(metrics, "kedge_rules_ingress", "REST ingress", Tags.empty());
    FunctionCounter.builder(
            "kedge_rules_ingress_accepted_total", ingress, RestIngress::acceptedCount)
        .description("REST ingress messages stored in Kafka (202)")
        .register(metrics);
    FunctionCounter.builder("kedge_rules_ingress_refused_total", ingress, RestIngress::refusedCount)
        .description("REST ingress requests refused (4xx, 5xx)")
        .register(metrics);
    Gauge.builder("kedge_rules_invalid", book, b -> b.errors().size())
        .description("Rules that fail their checks and do not route")
        .register(metrics);
    LOG.info(
        "rules: REST ingress on port {}, delivery from {}",
        ingress.port(),
        topics.upstream().name());
  }

  /**
   * Writes the status of cdc rules whose counts changed (at least once, like their rows) and the
   * errors of rules that fail their checks, once per change. The transactional writers write the
   * status of their own rules.
   */
  private void writeStatuses() {
    try {
      if (statusMirror != null) {
        statusMirror.mirror();
      }
      cdcCounters.changedStatuses().forEach(producer::send);
      for (Map.Entry<String, List<String>> entry : book.errors().entrySet()) {
        String[] parts = entry.getKey().split("/", 2);
        ObjectNode rule = book.rule(parts[0], parts[1]).orElse(null);
        if (rule == null) {
          continue;
        }
        ArrayNode errors = EventCodec.json().createArrayNode();
        entry.getValue().forEach(errors::add);
        if (errors.equals(rule.path("status").path("errors"))) {
          continue;
        }
        LOG.warn("rule {} does not route: {}", entry.getKey(), entry.getValue());
        ObjectNode updated = rule.deepCopy();
        ObjectNode status = updated.withObject("status");
        status.put("successMessages", status.path("successMessages").asLong(0));
        status.put("failMessages", status.path("failMessages").asLong(0));
        status.set("errors", errors);
        ObjectKey key = ObjectKey.of(updated);
        producer.send(
            codec.toRecord(
                topics.resources().name(),
                key.toString(),
                KedgeEvent.of(
                    URI.create("/kedge/rules"), "", new ResourceUpsert(key, "", updated))));
      }
    } catch (RuntimeException e) {
      LOG.warn("rule status not written: {}", e.toString());
    }
  }

  public RuleBook book() {
    return book;
  }

  public int ingressPort() {
    return ingress.port();
  }

  public EventbusDelivery delivery() {
    return delivery;
  }

  public CdcSources cdc() {
    return cdc;
  }

  public KafkaSourceBridge kafkaSources() {
    return kafkaSources;
  }

  /** Null when ready, else why not. */
  public String unreadyReason() {
    if (!follower.caughtUp()) {
      return "rules are still loading from the resources topic";
    }
    return responses.ready() ? null : "servicebus answers are not followed yet";
  }

  /** A fresh instance id for the transactional id, when the deployment gives none. */
  public static String newInstanceId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  @Override
  public void close() {
    parts.close();
  }
}
