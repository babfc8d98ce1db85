package io.kedge.cloud.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kedge.cloud.topics.TopicProvisioner;
import io.kedge.kafka.local.LocalKafkaCluster;
import io.kedge.schemas.KedgeTopics;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * Node topics asked for at once are made in requests KRaft's controller accepts: it fails a whole
 * request of more than 10,000 metadata records, and a node topic makes five, so 2,100 nodes joining
 * together (or resuming their joins after a restart) need more than one request.
 */
class AdminNodeTopicsIT {
  @Test
  void moreNodesJoiningAtOnceThanOneRequestMayCreateAllGetTheirTopics() throws Exception {
    KedgeTopics topics = new KedgeTopics("topics-it", 1, Duration.ofDays(1));
    List<String> nodes = IntStream.range(0, 2_100).mapToObj(n -> "node-" + n).toList();
    try (LocalKafkaCluster kafka =
            LocalKafkaCluster.builder().build().start(Duration.ofMinutes(1));
        Admin admin = Admin.create(kafka.clientConfig());
        AdminNodeTopics nodeTopics =
            new AdminNodeTopics(
                admin,
                topics,
                new TopicProvisioner(admin, Optional.empty(), Duration.ofSeconds(30)),
                false,
                topic -> CompletableFuture.completedFuture(null),
                Duration.ofSeconds(2))) { // every ask below within one window
      List<CompletableFuture<Void>> created = nodes.stream().map(nodeTopics::ensureAsync).toList();

      CompletableFuture.allOf(created.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);

      // the broker's metadata follows the controller's a moment later
      await()
          .atMost(Duration.ofMinutes(1))
          .untilAsserted(
              () ->
                  assertThat(admin.listTopics().names().get().stream().filter(topics::isNodeTopic))
                      .hasSize(nodes.size()));
    }
  }
}
