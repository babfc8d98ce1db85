package io.kedge.cloud.rules;

import io.kedge.cloud.router.NodeTrust;
import io.kedge.runtime.http.BlockingHttpClients;
import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.schemas.DeadLetter;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.EventbusMessage;
import io.kedge.schemas.InvalidEventException;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cloud half of eventbus → rest rules: reads the eventbus messages nodes send up, and POSTs
 * each to the target of every rule whose eventbus source it matches, with retries, exponential
 * backoff and a per-rule limit on requests in flight. A message that still fails goes to {@code
 * kedge.deadletter}.
 *
 * <p>Counters are exact: each rule's {@code successMessages}, {@code failMessages} and last errors
 * are written to its status in {@code kedge.resources} in the same Kafka transaction that commits
 * the consumed offsets, so a crash neither loses nor double-counts (a message handled but not yet
 * committed is POSTed again after a restart: at-least-once towards the target).
 */
public final class EventbusDelivery implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventbusDelivery.class);
  private static final Duration COMMIT_EVERY = Duration.ofSeconds(1);
  private static final int LAST_ERRORS = 5;

  private final RuleBook book;
  private final Consumer<String, byte[]> consumer;
  private final Producer<String, byte[]> producer;
  private final String upstreamTopic;
  private final String resourcesTopic;
  private final String deadLetterTopic;
  private final RulesConfig config;
  private final EventCodec codec;
  private final HttpClient http;
  private final RuleCounters counters;
  private final KnownTopics topics;
  private final NodeTrust trust;
  private final Map<String, Semaphore> inFlight = new ConcurrentHashMap<>();

  /** Threads that POST, one per request in flight (the per-rule limits bound how many). */
  private final ExecutorService posts = DaemonThreads.cached("kedge-rules-post");

  private final Thread thread;
  private final CompletableFuture<Void> rulesLoaded;
  private volatile boolean running = true;

  /**
   * @param producer transactional ({@code transactional.id} set, not yet initialised)
   * @param consumer in a group, {@code read_committed}, auto-commit off
   */
  public EventbusDelivery(
      RuleBook book,
      Consumer<String, byte[]> consumer,
      Producer<String, byte[]> producer,
      String upstreamTopic,
      String resourcesTopic,
      String deadLetterTopic,
      RulesConfig config,
      EventCodec codec,
      CompletableFuture<Void> rulesLoaded,
      MeterRegistry metrics,
      KnownTopics topics,
      NodeTrust trust) {
    this.trust = trust;
    this.topics = topics;
    this.rulesLoaded = rulesLoaded;
    this.counters = new RuleCounters(book, codec, resourcesTopic, metrics);
    this.book = book;
    this.consumer = consumer;
    this.producer = producer;
    this.upstreamTopic = upstreamTopic;
    this.resourcesTopic = resourcesTopic;
    this.deadLetterTopic = deadLetterTopic;
    this.config = config;
    this.codec = codec;
    this.http = BlockingHttpClients.create(config.deliveryTimeout());
    this.thread = new Thread(this::run, "kedge-rules-delivery");
    thread.setDaemon(true);
  }

  public EventbusDelivery start() {
    thread.start();
    return this;
  }

  private void run() {
    try {
      // a message must not be judged against half the rules
      if (!ResourceFollower.await(rulesLoaded, () -> running)) {
        return;
      }
      producer.initTransactions();
      consumer.subscribe(List.of(upstreamTopic));
      Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
      long lastCommit = System.nanoTime();
      while (running) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
        List<CompletableFuture<Void>> batch = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
          batch.add(handle(record));
          pending.put(
              new TopicPartition(record.topic(), record.partition()),
              new OffsetAndMetadata(record.offset() + 1));
        }
        CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).join();
        if (!pending.isEmpty() && System.nanoTime() - lastCommit >= COMMIT_EVERY.toNanos()) {
          commit(pending);
          pending.clear();
          lastCommit = System.nanoTime();
        }
      }
      if (!pending.isEmpty()) {
        commit(pending);
      }
    } catch (WakeupException e) {
      // closing
    } catch (CompletionException | CancellationException e) {
      if (running) {
        LOG.error("rules delivery stopped: {}", e.toString(), e);
      } else {
        LOG.info(
            "rules delivery closed with POSTs unfinished; their messages are delivered again after"
                + " a restart: {}",
            e.toString());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (KafkaException e) {
      LOG.error("rules delivery stopped: {}", e.toString(), e);
    } finally {
      consumer.close();
    }
  }

  /** Status updates of the rules whose counters changed, and the offsets, in one transaction. */
  private void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    producer.beginTransaction();
    List<ProducerRecord<String, byte[]>> letters;
    synchronized (toSend) {
      letters = new ArrayList<>(toSend);
      toSend.clear();
    }
    letters.forEach(producer::send);
    counters.changedStatuses().forEach(producer::send);
    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
    producer.commitTransaction();
  }

  private CompletableFuture<Void> handle(ConsumerRecord<String, byte[]> record) {
    EventbusMessage message;
    try {
      if (!(codec.decode(record.headers(), record.value()).data() instanceof EventbusMessage m)) {
        return CompletableFuture.completedFuture(null); // write requests etc.: not ours
      }
      message = m;
    } catch (InvalidEventException e) {
      return CompletableFuture.completedFuture(null); // the applier dead-letters poison
    }
    String refusal = trust.refusal(record.key(), record.value(), record.headers(), message.node());
    if (refusal != null) {
      LOG.warn(
          "eventbus message {}-{}@{} refused: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          refusal);
      deadLetter(record, "rules", refusal);
      return CompletableFuture.completedFuture(null);
    }
    List<CompletableFuture<Void>> deliveries = new ArrayList<>();
    for (RuleBook.Route route : book.eventbusRoutes(message.node(), message.topic())) {
      RuleCounters.Counter c = counters.of(route);
      if (route.targetType().equals("kafka")) {
        String topic = route.targetResource().path("topic").asText();
        if (!topics.exists(topic)) {
          String reason = "kafka topic " + topic + " does not exist";
          c.failed(reason);
          deadLetter(record, route, reason);
          continue;
        }
        // exactly once into the topic: sent in the transaction that commits this offset
        synchronized (toSend) {
          toSend.add(
              new ProducerRecord<>(
                  route.targetResource().path("topic").asText(),
                  message.messageId(),
                  message.payload()));
        }
        c.succeeded();
        continue;
      }
      if (!route.targetType().equals("rest")) {
        c.failed("target type " + route.targetType() + " is not delivered from the cloud yet");
        continue;
      }
      deliveries.add(deliver(record, message, route, c));
    }
    return CompletableFuture.allOf(deliveries.toArray(CompletableFuture[]::new));
  }

  private CompletableFuture<Void> deliver(
      ConsumerRecord<String, byte[]> record,
      EventbusMessage message,
      RuleBook.Route route,
      RuleCounters.Counter c) {
    Semaphore limit =
        inFlight.computeIfAbsent(route.ruleKey(), k -> new Semaphore(config.deliveryConcurrency()));
    limit.acquireUninterruptibly();
    String url = route.targetResource().path("resource").asText();
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      posts.execute(
          () -> {
            try {
              String failure = post(url, message);
              if (failure == null) {
                c.succeeded();
              } else {
                c.failed(failure);
                deadLetter(record, route, failure);
              }
              done.complete(null);
            } catch (CancellationException closing) {
              done.completeExceptionally(closing); // neither counted nor committed: sent again
            } finally {
              limit.release();
              if (!done.isDone()) { // a bug above: the delivery stops rather than wait for ever
                done.completeExceptionally(
                    new IllegalStateException("a POST ended without outcome"));
              }
            }
          });
    } catch (RejectedExecutionException closing) {
      limit.release();
      done.completeExceptionally(closing);
    }
    return done;
  }

  /**
   * POSTs {@code message} to {@code url}, retrying with exponential backoff; blocks its posting
   * thread. Returns null once delivered, or why it failed for good; throws {@link
   * CancellationException} when the delivery closes meanwhile.
   */
  private String post(String url, EventbusMessage message) {
    HttpRequest request;
    try {
      request =
          HttpRequest.newBuilder(URI.create(url))
              .timeout(config.deliveryTimeout())
              .header("Content-Type", contentType(message.payload()))
              .header("X-Kedge-Message-Id", message.messageId())
              .header("X-Kedge-Node", message.node())
              .POST(HttpRequest.BodyPublishers.ofByteArray(message.payload()))
              .build();
    } catch (IllegalArgumentException e) {
      return "POST " + url + " cannot be made: " + e + " (attempt 1)";
    }
    for (int attempt = 1; ; attempt++) {
      String failure;
      boolean retry;
      try {
        int code = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (code / 100 == 2) {
          return null;
        }
        failure = "POST " + url + " answered " + code;
        retry = code >= 500 || code == 408 || code == 429;
      } catch (IOException e) {
        failure = "POST " + url + " failed: " + e;
        retry = true;
      } catch (IllegalArgumentException | SecurityException e) {
        failure = "POST " + url + " cannot be made: " + e; // no attempt will do better
        retry = false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancellationException("POST " + url + " interrupted: the delivery is closing");
      }
      if (!retry || attempt >= config.deliveryAttempts()) {
        return failure + " (attempt " + attempt + ")";
      }
      long delay = config.deliveryBackoff().toMillis() << Math.min(attempt - 1, 16);
      if (!DaemonThreads.sleep(delay)) {
        throw new CancellationException(failure + " (attempt " + attempt + "; then closing)");
      }
    }
  }

  private static String contentType(byte[] payload) {
    for (byte b : payload) {
      if (!Character.isWhitespace(b)) {
        return b == '{' || b == '[' ? "application/json" : "application/octet-stream";
      }
    }
    return "application/octet-stream";
  }

  private void deadLetter(
      ConsumerRecord<String, byte[]> record, RuleBook.Route route, String reason) {
    deadLetter(record, "rules/" + route.ruleKey(), reason);
    LOG.warn(
        "rule {}: message {}-{}@{} to {} dead-lettered: {}",
        route.ruleKey(),
        record.topic(),
        record.partition(),
        record.offset(),
        route.targetResource().path("resource").asText(),
        reason);
  }

  private void deadLetter(ConsumerRecord<String, byte[]> record, String component, String reason) {
    RecordHeaders headers = new RecordHeaders(record.headers().toArray());
    DeadLetter.annotate(
        headers, record.topic(), record.partition(), record.offset(), component, reason);
    // in the delivery's transaction: it is part of what the committed offsets stand for
    synchronized (toSend) {
      toSend.add(
          new ProducerRecord<>(deadLetterTopic, null, record.key(), record.value(), headers));
    }
  }

  /** Dead letters and kafka-target records, sent in the next transaction. */
  private final List<ProducerRecord<String, byte[]>> toSend = new ArrayList<>();

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    DaemonThreads.join(thread, 15_000);
    posts.shutdownNow();
  }
}
