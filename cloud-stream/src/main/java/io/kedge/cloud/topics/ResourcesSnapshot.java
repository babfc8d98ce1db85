package io.kedge.cloud.topics;

import io.kedge.schemas.EventCodec;
import io.kedge.schemas.EventData;
import io.kedge.schemas.InvalidEventException;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ResourceDelete;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.schemas.StatusWrites;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code kedge.resources} holds, object by object: the last upsert of each key not deleted
 * since. A source that starts again reads it first, so it does not publish again what is already
 * there, and finds what was deleted while it was away.
 */
public final class ResourcesSnapshot {
  private static final Logger LOG = LoggerFactory.getLogger(ResourcesSnapshot.class);

  private ResourcesSnapshot() {}

  /**
   * Reads the topic from its beginning to its end as of now ({@code consumer} should read committed
   * records only): key to its last upsert.
   */
  public static Map<String, ResourceUpsert> read(
      Consumer<String, byte[]> consumer, String topic, Duration timeout) {
    EventCodec codec = new EventCodec();
    List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
    List<TopicPartition> partitions =
        infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
    Map<String, ResourceUpsert> objects = new HashMap<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    long read = 0;
    while (!caughtUp(consumer, ends)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "could not read " + topic + " to its end within " + timeout.toSeconds() + " s");
      }
      for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
        read++;
        if (record.value() == null) {
          continue;
        }
        try {
          apply(objects, codec.decode(record.headers(), record.value()));
        } catch (InvalidEventException e) {
          LOG.warn(
              "{}-{}@{} skipped while reading published versions: {}",
              record.topic(),
              record.partition(),
              record.offset(),
              e.getMessage());
        }
      }
    }
    LOG.info("{} read: {} records, {} objects", topic, read, objects.size());
    return objects;
  }

  /**
   * Applies one event of the topic to {@code objects}: an upsert replaces, a delete removes, a
   * status write ({@link StatusWrites}) changes the status of an object held, and nothing else.
   */
  static void apply(Map<String, ResourceUpsert> objects, KedgeEvent event) {
    EventData data = event.data();
    if (data instanceof ResourceUpsert upsert) {
      String key = upsert.key().toString();
      if (StatusWrites.is(event)) {
        ResourceUpsert applied = StatusWrites.applied(objects.get(key), upsert);
        if (applied != null) {
          objects.put(key, applied);
        }
      } else {
        objects.put(key, upsert);
      }
    } else if (data instanceof ResourceDelete delete) {
      objects.remove(delete.key().toString());
    }
  }

  private static boolean caughtUp(Consumer<?, ?> consumer, Map<TopicPartition, Long> ends) {
    for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
      if (consumer.position(end.getKey()) < end.getValue()) {
        return false;
      }
    }
    return true;
  }
}
