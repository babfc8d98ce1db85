package io.kedge.cloud.rules;

import io.kedge.cloud.router.NodeTrust;
import io.kedge.cloud.topics.WholeTopic;
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
  private final NodeTrust trust;

  /** A request waiting for its answer from {@code node}. */
  private record Waiting(String node, CompletableFuture<RuleResponse> answer) {}

  private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean assigned;

  /**
   * @param trust which node an answer comes from: an answer is taken only from the node the request
   *     was sent to, and, when nodes sign, only if that node signed it
   */
  public RuleResponses(
      Consumer<String, byte[]> consumer, String topic, EventCodec codec, NodeTrust trust) {
    this.trust = trust;
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

  /**
   * The answer of node {@code node} to {@code messageId}, or a {@link
   * java.util.concurrent.TimeoutException}.
   */
  public CompletableFuture<RuleResponse> await(String messageId, String node, Duration timeout) {
    CompletableFuture<RuleResponse> answer = new CompletableFuture<>();
    waiting.put(messageId, new Waiting(node, answer));
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
          if (waiting.isEmpty()) {
            continue; // an answer nobody waits for is dropped: not worth decoding
          }
          try {
            if (codec.decode(record.headers(), record.value()).data() instanceof RuleResponse r) {
              Waiting request = waiting.get(r.messageId());
              if (request != null) {
                accept(record, r, request);
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

  private void accept(ConsumerRecord<String, byte[]> record, RuleResponse r, Waiting request) {
    String refusal =
        !r.node().equals(request.node())
            ? "an answer from node " + r.node() + " to a request sent to node " + request.node()
            : trust.refusal(record.key(), record.value(), record.headers(), r.node());
    if (refusal == null) {
      request.answer().complete(r);
    } else {
      LOG.warn(
          "servicebus answer {}-{}@{} to {} refused: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          r.messageId(),
          refusal);
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    DaemonThreads.join(thread, 10_000);
  }
}
