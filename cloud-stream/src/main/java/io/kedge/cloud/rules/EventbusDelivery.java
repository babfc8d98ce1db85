package io.kedge.cloud.rules;

import io.kedge.cloud.router.NodeTrust;
import io.kedge.runtime.http.HttpPoster;
import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.schemas.DeadLetter;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.EventbusMessage;
import io.kedge.schemas.InvalidEventException;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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
  private final HttpPoster http;
  private final RuleCounters counters;
  private final KnownTopics topics;
  private final NodeTrust trust;
  private final Map<String, Semaphore> inFlight = new ConcurrentHashMap<>();

  /** Waits out the backoff between attempts; the POSTs themselves never block a thread. */
  private final ScheduledExecutorService retries =
      DaemonThreads.scheduled("kedge-rules-post-retries");

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
    this.http = new HttpPoster("kedge-rules-post", config.deliveryTimeout());
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
    URI target;
    try {
      target = URI.create(url);
      HttpPoster.requireHttpUrl(target);
    } catch (IllegalArgumentException e) {
      limit.release();
      String failure = "POST " + url + " cannot be made: " + e + " (attempt 1)";
      c.failed(failure);
      deadLetter(record, route, failure);
      return CompletableFuture.completedFuture(null);
    }
    Post post = new Post(target, message, record, route, c);
    post.done.whenComplete((ok, failed) -> limit.release());
    post.attempt(1);
    return post.done;
  }

  /**
   * One message on its way to one rule's target: each attempt, and what follows its answer: counted
   * as delivered, tried again after an exponential backoff (connection failures, timeouts, 408, 429
   * and 5xx), or counted as failed and dead-lettered. While the delivery closes, the message is
   * neither counted nor committed, so it is sent again after a restart.
   */
  private final class Post {
    final URI target;
    final Map<String, String> headers;
    final byte[] payload;
    final ConsumerRecord<String, byte[]> record;
    final RuleBook.Route route;
    final RuleCounters.Counter counter;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    Post(
        URI target,
        EventbusMessage message,
        ConsumerRecord<String, byte[]> record,
        RuleBook.Route route,
        RuleCounters.Counter counter) {
      this.target = target;
      this.headers =
          Map.of(
              "Content-Type", contentType(message.payload()),
              "X-Kedge-Message-Id", message.messageId(),
              "X-Kedge-Node", message.node());
      this.payload = message.payload();
      this.record = record;
      this.route = route;
      this.counter = counter;
    }

    void attempt(int attempt) {
      if (!running) {
        done.completeExceptionally(
            new CancellationException("POST " + target + " not made: the delivery is closing"));
        return;
      }
      CompletableFuture<Integer> answer;
      try {
        answer = http.post(target, headers, payload, config.deliveryTimeout());
      } catch (RuntimeException closed) { // the client is closed
        done.completeExceptionally(new CancellationException("POST " + target + ": " + closed));
        return;
      }
      answer.whenComplete(
          (code, error) -> {
            try {
              answered(attempt, code, error);
            } catch (RuntimeException e) { // a bug: the delivery stops rather than wait for ever
              done.completeExceptionally(e);
            }
          });
    }

    private void answered(int attempt, Integer code, Throwable error) {
      String failure;
      boolean retry;
      if (error != null) {
        failure = "POST " + target + " failed: " + error;
        retry = true;
      } else if (code / 100 == 2) {
        counter.succeeded();
        done.complete(null);
        return;
      } else {
        failure = "POST " + target + " answered " + code;
        retry = code >= 500 || code == 408 || code == 429;
      }
      String attempted = failure + " (attempt " + attempt + ")";
      if (!running) {
        done.completeExceptionally(new CancellationException(attempted + ", then closing"));
      } else if (!retry || attempt >= config.deliveryAttempts()) {
        counter.failed(attempted);
        deadLetter(record, route, attempted);
        done.complete(null);
      } else {
        long delay = config.deliveryBackoff().toMillis() << Math.min(attempt - 1, 16);
        try {
          retries.schedule(() -> attempt(attempt + 1), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
          done.completeExceptionally(new CancellationException(attempted + ", then closed"));
        }
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
    retries.shutdownNow();
    http.close();
  }
}
