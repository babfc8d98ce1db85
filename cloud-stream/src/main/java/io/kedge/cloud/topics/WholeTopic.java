package io.kedge.cloud.topics;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/** Assigning a consumer every partition of a topic, for readers that must see all of it. */
public final class WholeTopic {
  private WholeTopic() {}

  /**
   * Assigns all partitions of {@code topic}; returns them, or an empty list (after a short wait)
   * while the topic does not exist yet. Kafka tells no client when a topic is created, so a reader
   * started before its topic asks the metadata again, at most twice a second.
   */
  public static List<TopicPartition> assign(Consumer<?, ?> consumer, String topic)
      throws InterruptedException {
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
    if (partitions.isEmpty()) {
      Thread.sleep(500);
    } else {
      consumer.assign(partitions);
    }
    return partitions;
  }
}
