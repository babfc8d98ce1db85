package io.kedge.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class NodeNamesTest {
  private static final Pattern KAFKA_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  @Test
  void shortNamesMapToThemselves() {
    assertThat(NodeNames.topicFor("kedge", "edge-1")).isEqualTo("kedge.node.edge-1");
    assertThat(NodeNames.topicFor("site-a.kedge", "n1.factory.example.com"))
        .isEqualTo("site-a.kedge.node.n1.factory.example.com");
  }

  @Test
  void longestDnsNamesAreTruncatedAndHashedDeterministically() {
    String label = "a".repeat(63);
    String longest = label + "." + label + "." + label + "." + "b".repeat(61);
    assertThat(longest).hasSize(253);
    String otherLongest = longest.substring(0, 252) + "c";

    String topic = NodeNames.topicFor("kedge", longest);

    assertThat(topic).hasSize(NodeNames.MAX_TOPIC_LENGTH).matches(KAFKA_TOPIC);
    assertThat(NodeNames.topicFor("kedge", longest)).isEqualTo(topic);
    assertThat(NodeNames.topicFor("kedge", otherLongest))
        .hasSize(NodeNames.MAX_TOPIC_LENGTH)
        .isNotEqualTo(topic);
    assertThat(topic)
        .startsWith("kedge.node." + longest.substring(0, 100))
        .matches(".*-[0-9a-f]{16}");
  }

  @Test
  void namesThatJustFitAreKept() {
    String fits = "n".repeat(NodeNames.MAX_TOPIC_LENGTH - "kedge.node.".length());
    assertThat(NodeNames.topicFor("kedge", fits)).isEqualTo("kedge.node." + fits);
    String tooLong = fits + "n";
    assertThat(NodeNames.topicFor("kedge", tooLong))
        .hasSize(249)
        .isNotEqualTo("kedge.node." + fits);
  }

  @Test
  void rejectsNamesThatAreNotDnsSubdomains() {
    assertThatThrownBy(() -> NodeNames.requireValid("Edge_1"))
        .hasMessageContaining("'Edge_1'")
        .hasMessageContaining("DNS subdomain");
    assertThatThrownBy(() -> NodeNames.requireValid("-edge")).hasMessageContaining("DNS subdomain");
    assertThatThrownBy(() -> NodeNames.requireValid("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> NodeNames.requireValid("a".repeat(254)))
        .hasMessageContaining("254 characters");
  }

  @Test
  void topicsUseThePrefix() {
    KedgeTopics topics = new KedgeTopics("site1", 3, java.time.Duration.ofHours(1));
    assertThat(topics.resources().name()).isEqualTo("site1.resources");
    assertThat(topics.upstream().name()).isEqualTo("site1.upstream");
    assertThat(topics.deadletter().name()).isEqualTo("site1.deadletter");
    assertThat(topics.node("edge-1").name()).isEqualTo("site1.node.edge-1");
    assertThat(topics.node("edge-1").policy().partitions()).isEqualTo(1);
    assertThat(topics.resources().policy().topicConfigs())
        .containsEntry("cleanup.policy", "compact");
    assertThat(topics.node("e").policy().topicConfigs()).containsEntry("retention.ms", "3600000");
    assertThatThrownBy(() -> new KedgeTopics("bad prefix", 1, java.time.Duration.ofDays(1)))
        .hasMessageContaining("'bad prefix'");
  }
}
