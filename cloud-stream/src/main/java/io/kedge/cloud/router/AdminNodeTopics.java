package io.kedge.cloud.router;

import io.kedge.cloud.topics.TopicProvisioner;
import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.runtime.lifecycle.Futures;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.TopicDescriptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node topics through the Kafka AdminClient, with the node retention configured. Topics asked for
 * while nodes join are created in batches, one request every {@link #BATCH_WINDOW}: the controller
 * commits a batch at once, where one request per topic made joins wait for each other's commits. A
 * topic counts as made once its leader has made the partition's log ({@link NewTopicLogs}) and the
 * router's producers know it ({@link RouterClients#learn}), so the stream thread's first send to it
 * neither waits for its metadata nor is refused by a leader still making the log.
 */
public final class AdminNodeTopics implements NodeTopics, AutoCloseable {
  static final Duration BATCH_WINDOW = Duration.ofMillis(10);

  private static final Logger LOG = LoggerFactory.getLogger(AdminNodeTopics.class);

  private final Admin admin;
  private final NewTopicLogs newTopicLogs;
  private final KedgeTopics topics;
  private final TopicProvisioner provisioner;
  private final boolean deleteOnRelease;
  private final Function<String, CompletableFuture<Void>> learn;
  private final Duration window;
  private final ScheduledExecutorService batcher = DaemonThreads.scheduled("kedge-node-topics");
  private final Map<String, Queued> queued = new LinkedHashMap<>();

  /** A topic asked for, and who waits for it. */
  private record Queued(TopicDescriptor<?, ?> topic, CompletableFuture<Void> created) {}

  /**
   * @param learn teaches the producers that write node topics a topic just made, completing when
   *     they know it
   */
  public AdminNodeTopics(
      Admin admin,
      KedgeTopics topics,
      TopicProvisioner provisioner,
      boolean deleteOnRelease,
      Function<String, CompletableFuture<Void>> learn) {
    this(admin, topics, provisioner, deleteOnRelease, learn, BATCH_WINDOW);
  }

  /** The same, gathering the topics asked for within {@code window} into one batch. */
  AdminNodeTopics(
      Admin admin,
      KedgeTopics topics,
      TopicProvisioner provisioner,
      boolean deleteOnRelease,
      Function<String, CompletableFuture<Void>> learn,
      Duration window) {
    this.window = window;
    this.admin = admin;
    this.newTopicLogs = new NewTopicLogs(admin);
    this.learn = learn;
    this.topics = topics;
    this.provisioner = provisioner;
    this.deleteOnRelease = deleteOnRelease;
  }

  @Override
  public void ensure(String node) {
    provisioner.ensure(topics.node(node));
  }

  @Override
  public CompletableFuture<Void> ensureAsync(String node) {
    TopicDescriptor<?, ?> topic = topics.node(node);
    synchronized (queued) {
      Queued asked = queued.get(topic.name());
      if (asked != null) {
        return asked.created();
      }
      CompletableFuture<Void> created = new CompletableFuture<>();
      queued.put(topic.name(), new Queued(topic, created));
      if (queued.size() == 1) {
        batcher.schedule(this::createQueued, window.toMillis(), TimeUnit.MILLISECONDS);
      }
      return created;
    }
  }

  private void createQueued() {
    List<Queued> batch;
    synchronized (queued) {
      batch = List.copyOf(queued.values());
      queued.clear();
    }
    try {
      Map<String, CompletableFuture<Void>> created =
          provisioner.ensureAsync(batch.stream().map(Queued::topic).toList());
      Map<String, CompletableFuture<Void>> logged = logsMade(created);
      for (Queued asked : batch) {
        String name = asked.topic().name();
        created
            .get(name)
            .thenCompose(made -> logged.get(name))
            .thenCompose(made -> learn.apply(name))
            .whenComplete(
                (ok, error) -> {
                  if (error == null) {
                    asked.created().complete(null);
                  } else {
                    asked.created().completeExceptionally(error);
                  }
                });
      }
    } catch (RuntimeException e) {
      batch.forEach(asked -> asked.created().completeExceptionally(e));
    }
  }

  /** Completes, per topic, once it was created and its leader made its log; never fails. */
  private Map<String, CompletableFuture<Void>> logsMade(
      Map<String, CompletableFuture<Void>> created) {
    Map<String, CompletableFuture<Void>> logged = new HashMap<>();
    created.keySet().forEach(name -> logged.put(name, new CompletableFuture<>()));
    Futures.settled(created.values())
        .thenAccept(
            all -> {
              List<String> made = new ArrayList<>();
              created.forEach(
                  (name, future) -> {
                    if (future.isCompletedExceptionally()) {
                      logged.get(name).complete(null); // it failed: the caller hears why
                    } else {
                      made.add(name);
                    }
                  });
              newTopicLogs
                  .made(made)
                  .forEach((name, done) -> done.thenRun(() -> logged.get(name).complete(null)));
            });
    return logged;
  }

  @Override
  public void close() {
    batcher.shutdownNow();
  }

  @Override
  public void released(String node) {
    if (!deleteOnRelease) {
      return;
    }
    String topic = topics.node(node).name();
    try {
      admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
      LOG.info("deleted topic {} of removed node {}", topic, node);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("cannot delete topic {} of removed node {}: {}", topic, node, e.toString());
    }
  }
}
