package io.kedge.cloud.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.cloud.topics.WholeTopic;
import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.EventData;
import io.kedge.schemas.InvalidEventException;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceDelete;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.schemas.StatusWrites;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code kedge.resources} from its beginning and hands the upserts and deletes of the kinds
 * it is asked for to a listener: how cloud parts besides the router (rules) see the standalone
 * store. Its consumer is assigned, not subscribed, so every instance sees everything.
 */
public final class ResourceFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ResourceFollower.class);

  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final EventCodec codec;
  private final Predicate<ObjectKey> wanted;
  private final BiConsumer<ObjectKey, ObjectNode> listener;
  private final BiConsumer<ObjectKey, ObjectNode> statusListener;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean caughtUp;
  private final CompletableFuture<Void> loaded = new CompletableFuture<>();

  /**
   * @param listener gets each wanted upsert's object, or null for a delete; status writes ({@link
   *     StatusWrites}) are left out
   */
  public ResourceFollower(
      Consumer<String, byte[]> consumer,
      String topic,
      EventCodec codec,
      Predicate<ObjectKey> wanted,
      BiConsumer<ObjectKey, ObjectNode> listener) {
    this(consumer, topic, codec, wanted, listener, (key, write) -> {});
  }

  /**
   * @param listener gets each wanted upsert's object, or null for a delete
   * @param statusListener gets each wanted status write ({@link StatusWrites}), to apply to what it
   *     holds of that object
   */
  public ResourceFollower(
      Consumer<String, byte[]> consumer,
      String topic,
      EventCodec codec,
      Predicate<ObjectKey> wanted,
      BiConsumer<ObjectKey, ObjectNode> listener,
      BiConsumer<ObjectKey, ObjectNode> statusListener) {
    this.consumer = consumer;
    this.topic = topic;
    this.codec = codec;
    this.wanted = wanted;
    this.listener = listener;
    this.statusListener = statusListener;
    this.thread = new Thread(this::run, "kedge-follow-" + topic);
    thread.setDaemon(true);
  }

  public ResourceFollower start() {
    thread.start();
    return this;
  }

  /** True once everything the topic held at start has been handed over. */
  public boolean caughtUp() {
    return caughtUp;
  }

  /** Completes once everything the topic held at start has been handed over. */
  public CompletableFuture<Void> loaded() {
    return loaded.copy();
  }

  /**
   * Waits until {@code done} completes, or {@code keepWaiting} turns false (checked every 200 ms,
   * so a closing component does not wait for what will not come); true when it completed.
   */
  public static boolean await(CompletableFuture<?> done, BooleanSupplier keepWaiting)
      throws InterruptedException {
    while (keepWaiting.getAsBoolean()) {
      try {
        done.get(200, TimeUnit.MILLISECONDS);
        return true;
      } catch (TimeoutException e) {
        // still loading
      } catch (ExecutionException e) {
        return false;
      }
    }
    return false;
  }

  private void run() {
    Map<TopicPartition, Long> ends = new HashMap<>();
    while (running) {
      try {
        if (consumer.assignment().isEmpty()) {
          List<TopicPartition> partitions = WholeTopic.assign(consumer, topic);
          if (partitions.isEmpty()) {
            continue;
          }
          consumer.seekToBeginning(partitions);
          ends.putAll(consumer.endOffsets(partitions));
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          handle(record);
        }
        if (!caughtUp
            && ends.entrySet().stream()
                .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
          caughtUp = true;
          loaded.complete(null);
          LOG.info("caught up with {}", topic);
        }
      } catch (WakeupException e) {
        break;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (KafkaException e) {
        LOG.warn("following {}: {}; retrying", topic, e.toString());
      }
    }
    consumer.close();
  }

  private void handle(ConsumerRecord<String, byte[]> record) {
    try {
      if (record.value() == null) {
        ObjectKey key = ObjectKey.parse(record.key());
        if (wanted.test(key)) {
          listener.accept(key, null);
        }
        return;
      }
      KedgeEvent event = codec.decode(record.headers(), record.value());
      EventData data = event.data();
      if (data instanceof ResourceUpsert upsert && wanted.test(upsert.key())) {
        if (StatusWrites.is(event)) {
          statusListener.accept(upsert.key(), upsert.object());
        } else {
          listener.accept(upsert.key(), upsert.object());
        }
      } else if (data instanceof ResourceDelete delete && wanted.test(delete.key())) {
        listener.accept(delete.key(), null);
      }
    } catch (InvalidEventException | IllegalArgumentException e) {
      LOG.warn(
          "{}-{}@{} skipped: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          e.getMessage());
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    DaemonThreads.join(thread, 10_000);
  }
}
