package io.kedge.cloud.topics;

import io.kedge.runtime.lifecycle.Futures;
import io.kedge.schemas.TopicDescriptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates kedge topics idempotently with the partitions and policy their descriptors give. An
 * existing topic is left as it is: operators may have tuned it.
 */
public final class TopicProvisioner {
  private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);

  /**
   * Topics per CreateTopics or DeleteTopics request at most. KRaft's controller fails a whole
   * request that makes more than 10,000 metadata records (a node topic makes five), so thousands of
   * nodes joining at once, or resuming their joins after a restart, would otherwise never get their
   * topics.
   */
  public static final int MAX_TOPICS_PER_REQUEST = 1_000;

  private final Admin admin;
  private final Optional<Short> replicationFactor;
  private final Duration timeout;

  /**
   * @param replicationFactor empty for the broker's {@code default.replication.factor}
   */
  public TopicProvisioner(Admin admin, Optional<Short> replicationFactor, Duration timeout) {
    this.admin = admin;
    this.replicationFactor = replicationFactor;
    this.timeout = timeout;
  }

  /**
   * Ensures every topic exists.
   *
   * @throws IllegalStateException naming the topic that could not be created and why
   */
  public void ensure(List<? extends TopicDescriptor<?, ?>> topics) {
    List<NewTopic> requests = new ArrayList<>();
    for (TopicDescriptor<?, ?> topic : topics) {
      requests.add(
          new NewTopic(topic.name(), Optional.of(topic.policy().partitions()), replicationFactor)
              .configs(topic.policy().topicConfigs()));
    }
    CreateTopicsResult result = admin.createTopics(requests);
    for (NewTopic request : requests) {
      try {
        result.values().get(request.name()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("created topic {}", request.name());
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException(
              "cannot create topic " + request.name() + ": " + e.getCause().getMessage(),
              e.getCause());
        }
      } catch (TimeoutException e) {
        throw new IllegalStateException(
            "Kafka did not create topic " + request.name() + " within " + timeout, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while creating " + request.name(), e);
      }
    }
  }

  public void ensure(TopicDescriptor<?, ?> topic) {
    ensure(List.of(topic));
  }

  /**
   * Starts creating {@code topics} that are missing, in requests of at most {@link
   * #MAX_TOPICS_PER_REQUEST}; each future completes once its topic exists, or exceptionally with
   * why it could not be created.
   */
  public Map<String, CompletableFuture<Void>> ensureAsync(
      List<? extends TopicDescriptor<?, ?>> topics) {
    Map<String, CompletableFuture<Void>> created = new java.util.HashMap<>();
    for (int from = 0; from < topics.size(); from += MAX_TOPICS_PER_REQUEST) {
      created.putAll(
          createInOneRequest(
              topics.subList(from, Math.min(topics.size(), from + MAX_TOPICS_PER_REQUEST))));
    }
    return created;
  }

  private Map<String, CompletableFuture<Void>> createInOneRequest(
      List<? extends TopicDescriptor<?, ?>> topics) {
    List<NewTopic> requests = new ArrayList<>();
    for (TopicDescriptor<?, ?> topic : topics) {
      requests.add(
          new NewTopic(topic.name(), Optional.of(topic.policy().partitions()), replicationFactor)
              .configs(topic.policy().topicConfigs()));
    }
    Map<String, CompletableFuture<Void>> created = new java.util.HashMap<>();
    CreateTopicsResult result = admin.createTopics(requests);
    AtomicInteger made = new AtomicInteger();
    result
        .values()
        .forEach(
            (name, future) -> {
              CompletableFuture<Void> done = new CompletableFuture<>();
              created.put(name, done);
              future.whenComplete(
                  (ok, error) -> {
                    Throwable cause = Futures.cause(error);
                    if (cause == null) {
                      LOG.debug("created topic {}", name);
                      made.incrementAndGet();
                      done.complete(null);
                    } else if (cause instanceof TopicExistsException) {
                      done.complete(null);
                    } else {
                      done.completeExceptionally(cause);
                    }
                  });
            });
    // one line per request: nodes joining by the thousand would log a line per topic
    Futures.settled(created.values())
        .thenRun(
            () -> {
              if (made.get() > 0) {
                LOG.info("topics created: {} of {} asked for", made.get(), requests.size());
              }
            });
    return created;
  }

  /**
   * How many partitions {@code topic} has.
   *
   * @throws IllegalStateException naming the topic when Kafka cannot say
   */
  public int partitions(String topic) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return admin
            .describeTopics(List.of(topic))
            .allTopicNames()
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .get(topic)
            .partitions()
            .size();
      } catch (ExecutionException e) {
        // a topic just created may not have reached every broker's metadata yet
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
            || System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "cannot describe topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
        }
        pause(topic);
      } catch (TimeoutException e) {
        throw new IllegalStateException(
            "Kafka did not describe " + topic + " within " + timeout, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while describing " + topic, e);
      }
    }
  }

  private static void pause(String topic) {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while describing " + topic, e);
    }
  }
}
