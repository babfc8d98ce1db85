package io.kedge.cloud.router;

import io.kedge.runtime.lifecycle.Futures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits until the leaders of new one-partition topics have made their logs. Brokers publish a new
 * topic's leader before the leader has made the partition's log, and a produce request in between
 * is refused (NOT_LEADER_OR_FOLLOWER) and retried after the producer's backoff, holding the whole
 * transaction that carried it. A leader answers ListOffsets once the log is there; the Admin client
 * retries a refused one, but fails one for a topic the broker it asks does not know yet (with an
 * ERROR line), so the topics are described until the brokers asked know them. A producer asked for
 * their metadata after that does not log a warning per unknown topic either.
 */
final class NewTopicLogs {
  private static final Logger LOG = LoggerFactory.getLogger(NewTopicLogs.class);

  /** Between two descriptions of topics a broker did not know yet. */
  private static final Duration RETRY = Duration.ofMillis(50);

  /** After this the topics count as made: their first sends retry, as without the wait. */
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  private final Admin admin;

  NewTopicLogs(Admin admin) {
    this.admin = admin;
  }

  /**
   * Completes, for each topic, once its leader has made its log, or once waiting for it gave up
   * (logged at DEBUG). Never fails.
   */
  Map<String, CompletableFuture<Void>> made(Collection<String> topics) {
    Map<String, CompletableFuture<Void>> made = new HashMap<>();
    topics.forEach(topic -> made.put(topic, new CompletableFuture<>()));
    if (!topics.isEmpty()) {
      describe(List.copyOf(topics), made, System.nanoTime() + PATIENCE.toNanos());
    }
    return made;
  }

  private void describe(
      List<String> topics, Map<String, CompletableFuture<Void>> made, long deadline) {
    Map<String, KafkaFuture<TopicDescription>> described;
    try {
      described = admin.describeTopics(topics).topicNameValues();
    } catch (RuntimeException e) {
      giveUp(topics, made, e);
      return;
    }
    KafkaFuture.allOf(described.values().toArray(KafkaFuture[]::new))
        .whenComplete(
            (all, failure) -> {
              List<String> known = new ArrayList<>();
              List<String> unknown = new ArrayList<>();
              described.forEach(
                  (topic, description) -> {
                    Throwable error = failure(description);
                    if (error == null) {
                      known.add(topic);
                    } else if (error instanceof UnknownTopicOrPartitionException) {
                      unknown.add(topic);
                    } else {
                      giveUp(List.of(topic), made, error);
                    }
                  });
              listOffsets(known, made);
              if (unknown.isEmpty()) {
                return;
              }
              if (System.nanoTime() > deadline) {
                giveUp(unknown, made, new UnknownTopicOrPartitionException("still unknown"));
              } else {
                CompletableFuture.delayedExecutor(RETRY.toMillis(), TimeUnit.MILLISECONDS)
                    .execute(() -> describe(unknown, made, deadline));
              }
            });
  }

  private void listOffsets(List<String> topics, Map<String, CompletableFuture<Void>> made) {
    if (topics.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
    topics.forEach(topic -> partitions.put(new TopicPartition(topic, 0), OffsetSpec.latest()));
    ListOffsetsResult offsets;
    try {
      offsets = admin.listOffsets(partitions);
    } catch (RuntimeException e) {
      giveUp(topics, made, e);
      return;
    }
    partitions
        .keySet()
        .forEach(
            partition ->
                offsets
                    .partitionResult(partition)
                    .whenComplete(
                        (offset, error) -> {
                          if (error == null) {
                            made.get(partition.topic()).complete(null);
                          } else {
                            giveUp(List.of(partition.topic()), made, error);
                          }
                        }));
  }

  private static void giveUp(
      List<String> topics, Map<String, CompletableFuture<Void>> made, Throwable why) {
    LOG.debug("not waiting for the logs of {}: {}", topics, why.toString());
    topics.forEach(topic -> made.get(topic).complete(null));
  }

  /** Why a completed future failed, or null. */
  private static Throwable failure(KafkaFuture<?> completed) {
    try {
      completed.get();
      return null;
    } catch (ExecutionException e) {
      return Futures.cause(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e;
    }
  }
}
