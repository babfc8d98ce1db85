package io.kedge.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import io.kedge.schemas.KedgeTopics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NodeTopicMetersTest {
  private final KedgeTopics topics = new KedgeTopics("kedge", 1, Duration.ofDays(1));
  private final MeterRegistry registry = new SimpleMeterRegistry();

  NodeTopicMetersTest() {
    registry.config().meterFilter(NodeTopicMeters.deny(topics));
  }

  @Test
  void kafkaMetersOfNodeTopicsAreLeftOut() {
    registry.counter("kafka.producer.topic.record.send.total", "topic", "kedge.node.edge-1");
    registry.counter("kafka.stream.topic.records.produced.total", "topic", "kedge.node.edge-2");

    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void otherTopicsNodeLabelsAndOtherInstallationsStay() {
    registry.counter("kafka.producer.topic.record.send.total", "topic", "kedge.resources");
    registry.counter("kafka.producer.record.send.total", "client.id", "router-producer");
    registry.counter("kedge_downlink_offset", "node", "edge-1", "topic", "kedge.node.edge-1");
    registry.counter("kafka.producer.topic.record.send.total", "topic", "other.node.edge-1");

    assertThat(registry.getMeters()).hasSize(4);
  }
}
