package io.kedge.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TopicPolicyTest {
  private final KedgeTopics topics = new KedgeTopics("kedge", 1, Duration.ofDays(7));

  @Test
  void nodeTopicsSpaceTheirIndexEntriesOneFetchApart() {
    assertThat(topics.node("edge-1").policy().topicConfigs())
        .containsEntry("index.interval.bytes", "1048576")
        .containsEntry("cleanup.policy", "delete")
        .containsEntry("retention.ms", Long.toString(Duration.ofDays(7).toMillis()));
  }

  @Test
  void otherTopicsKeepTheBrokerDefault() {
    assertThat(topics.resources().policy().topicConfigs())
        .doesNotContainKey("index.interval.bytes")
        .containsEntry("cleanup.policy", "compact");
    assertThat(topics.upstream().policy().topicConfigs()).doesNotContainKey("index.interval.bytes");
  }

  @Test
  void aNegativeIndexIntervalIsRefusedWithItsValue() {
    assertThatThrownBy(() -> new TopicPolicy(1, false, Duration.ofDays(1), -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("indexIntervalBytes")
        .hasMessageContaining("-1");
  }
}
