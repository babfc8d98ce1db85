package io.kedge.cloud.rules;

import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.InvalidEventException;
import io.kedge.schemas.RuleResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Matches edge services' answers ({@link RuleResponse} on {@code kedge.upstream}) to the REST
 * ingress requests waiting for them. Every cloud instance reads every partition from the end, so
 * the instance holding the request sees its answer whichever one it is.
 */
public final class RuleResponses implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RuleResponses.class);

  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final EventCodec codec;
  private final Map<String, CompletableFuture<RuleResponse>> waiting = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean assigned;

  public RuleResponses(Consumer<String, byte[]> consumer, String topic, EventCodec codec) {
    this.consumer = consumer;
    this.topic = topic;
    this.codec = codec;
    this.thread = new Thread(this::run, "kedge-rule-responses");
    thread.setDaemon(true);
  }

  public RuleResponses start() {
    thread.start();
    return this;
  }

  /** True once reading: answers to requests made from now on will be seen. */
  public boolean ready() {
    return assigned;
  }

  /** The answer to {@code messageId}, or a {@link java.util.concurrent.TimeoutException}. */
  public CompletableFuture<RuleResponse> await(String messageId, Duration timeout) {
    CompletableFuture<RuleResponse> answer = new CompletableFuture<>();
    waiting.put(messageId, answer);
    answer.whenComplete((r, e) -> waiting.remove(messageId));
    return answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void run() {
    while (running) {
      try {
        if (!assigned) {
          List<TopicPartition> partitions = WholeTopic.assign(consumer, topic);
          if (partitions.isEmpty()) {
            continue;
          }
          consumer.seekToEnd(partitions);
          partitions.forEach(consumer::position); // resolve "end" now, before requests are sent
          assigned = true;
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          try {
            if (codec.decode(record.headers(), record.value()).data() instanceof RuleResponse r) {
              CompletableFuture<RuleResponse> answer = waiting.get(r.messageId());
              if (answer != null) {
                answer.complete(r);
              }
            }
          } catch (InvalidEventException e) {
            // not ours to judge: the uplink applier dead-letters what is invalid
          }
        }
      } catch (WakeupException e) {
        break;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (KafkaException e) {
        LOG.warn("reading servicebus answers from {}: {}; retrying", topic, e.toString());
      }
    }
    consumer.close();
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    DaemonThreads.join(thread, 10_000);
  }
}
