package io.kedge.edge.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kedge.edge.relay.link.LinkState;
import io.kedge.edge.relay.log.DiskReserve;
import io.kedge.edge.relay.log.LogFiles;
import io.kedge.edge.relay.uplink.UplinkLog;
import io.kedge.runtime.config.ConfigSources;
import io.kedge.schemas.DeadLetter;
import io.kedge.schemas.EventbusMessage;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceDelete;
import io.kedge.testkit.TestNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The relay against a real broker: outages, retention gaps and uplink buffering. */
class RelayIT extends RelayTestBase {
  @Test
  void aPoisonRecordIsKeptDeadLetteredAndConsumptionGoesOn() throws Exception {
    admin
        .createTopics(List.of(new NewTopic(topics.deadletter().name(), 1, (short) 1)))
        .all()
        .get(30, TimeUnit.SECONDS);
    try (EdgeNode edge = startEdge()) {
      answerResync(1, List.of());
      Awaitility.await("connected")
          .atMost(Duration.ofSeconds(60))
          .until(() -> edge.linkState() == LinkState.CONNECTED);
      org.apache.kafka.common.header.internals.RecordHeaders headers =
          new org.apache.kafka.common.header.internals.RecordHeaders();
      headers.add("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8));
      headers.add("ce_type", "io.kedge.resource.upsert.v9".getBytes(StandardCharsets.UTF_8));
      headers.add("ce_id", "bad-1".getBytes(StandardCharsets.UTF_8));
      headers.add("ce_source", "/elsewhere".getBytes(StandardCharsets.UTF_8));
      producer
          .send(
              new org.apache.kafka.clients.producer.ProducerRecord<>(
                  topics.node(NODE).name(),
                  null,
                  "bad",
                  "{}".getBytes(StandardCharsets.UTF_8),
                  headers))
          .get(30, TimeUnit.SECONDS);
      send(upsert("after-poison"));
      Awaitility.await("the pod after the poison record")
          .atMost(Duration.ofSeconds(30))
          .until(() -> podNames(edge).equals(List.of("after-poison")));
      assertThat(edge.poison().count()).isEqualTo(1);
      try (KafkaConsumer<String, byte[]> dead =
          new KafkaConsumer<>(
              Map.of(
                  ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  kafka.bootstrapServers(),
                  ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                  "earliest",
                  ConsumerConfig.GROUP_ID_CONFIG,
                  TestNames.unique("dlq")),
              new StringDeserializer(),
              new ByteArrayDeserializer())) {
        dead.subscribe(List.of(topics.deadletter().name()));
        List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> letters =
            new java.util.ArrayList<>();
        Awaitility.await("the dead letter")
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  dead.poll(Duration.ofMillis(200)).forEach(letters::add);
                  return !letters.isEmpty();
                });
        var letter = letters.get(0);
        assertThat(letter.key()).isEqualTo("bad");
        assertThat(DeadLetter.header(letter.headers(), DeadLetter.SOURCE_TOPIC))
            .isEqualTo(topics.node(NODE).name());
        assertThat(DeadLetter.header(letter.headers(), DeadLetter.REASON)).contains("v9");
      }
    }
  }

  @Test
  void aFullDiskPausesTheDownlinkWithoutLossUntilSpaceIsBack() throws Exception {
    try (EdgeNode edge = startEdge()) {
      answerResync(1, List.of());
      send(upsert("before"));
      Awaitility.await("first pod")
          .atMost(Duration.ofSeconds(60))
          .until(() -> podNames(edge).equals(List.of("before")));
      AtomicLong free = new AtomicLong(0);
      edge.log().withReserve(new DiskReserve(tmp, 1 << 20, free::get));
      send(upsert("during-1"));
      send(upsert("during-2"));
      Awaitility.await("downlink paused")
          .atMost(Duration.ofSeconds(30))
          .until(() -> edge.downlink().diskFull());
      Awaitility.await("nothing logged while the disk is full")
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(5))
          .until(() -> podNames(edge).equals(List.of("before")));

      free.set(Long.MAX_VALUE);
      Awaitility.await("pods after the disk has room again")
          .atMost(Duration.ofSeconds(60))
          .until(() -> podNames(edge).size() == 3);
      assertThat(edge.downlink().diskFull()).isFalse();
      assertThat(loggedOffsets(edge)).doesNotHaveDuplicates().isSorted();
    }
  }

  @Test
  void aDamagedLogEntryIsSkippedCountedAndRepairedByAResync() throws Exception {
    String damaged = "damaged-entry-marker";
    try (EdgeNode edge = startEdge()) {
      answerResync(1, List.of());
      send(upsert(damaged));
      send(upsert("healthy"));
      Awaitility.await("pods")
          .atMost(Duration.ofSeconds(60))
          .until(() -> podNames(edge).size() == 2);
    }
    int overwritten = LogFiles.overwrite(tmp.resolve("edge/log"), damaged);
    assertThat(overwritten).isPositive();
    LogFiles.deleteTree(tmp.resolve("edge/snapshots")); // so the restart replays the log

    try (EdgeNode edge = startEdge()) {
      Awaitility.await("damaged entry found")
          .atMost(Duration.ofSeconds(30))
          .until(() -> edge.log().unreadableCount() == 1);
      assertThat(podNames(edge)).containsExactly("healthy");
      answerResync(2, List.of(damaged, "healthy"));
      Awaitility.await("view repaired by the resync")
          .atMost(Duration.ofSeconds(60))
          .until(() -> podNames(edge).equals(List.of(damaged, "healthy")));
    }
  }

  @Test
  void anUnusableDataDirIsAClearStartError() throws Exception {
    Path file = java.nio.file.Files.writeString(tmp.resolve("not-a-dir"), "x");
    EdgeConfig config =
        EdgeConfig.from(
            EdgeConfig.DEF.parse(
                ConfigSources.withEnvironment(Map.of())
                    .flag("edge.node", NODE, "test")
                    .flag("kafka.bootstrap", kafka.bootstrapServers(), "test")
                    .flag("edge.data-dir", file.resolve("edge"), "test")
                    .flag("edge.api-port", 0, "test")));
    assertThatThrownBy(() -> EdgeNode.start(config, "test"))
        .hasMessageContaining("edge.data-dir")
        .hasMessageContaining(file.resolve("edge").toString())
        .hasMessageContaining("cannot be created");
  }

  private static List<Long> loggedOffsets(EdgeNode edge) {
    List<Long> offsets = new ArrayList<>();
    try (var reader = edge.log().readRawAfter(-1)) {
      for (var entry = reader.next(); entry != null; entry = reader.next()) {
        if (!entry.local()) {
          offsets.add(entry.offset());
        }
      }
    }
    return offsets;
  }

  @Test
  void brokerOutageOf30SecondsLosesNothing() throws Exception {
    try (EdgeNode edge = startEdge()) {
      answerResync(1, List.of());
      Awaitility.await("connected")
          .atMost(Duration.ofSeconds(60))
          .until(() -> edge.linkState() == LinkState.CONNECTED);
      send(upsert("before"));
      Awaitility.await("first pod logged")
          .atMost(Duration.ofSeconds(30))
          .until(() -> podNames(edge).equals(List.of("before")));
      kafka.stopNode(0);
      Awaitility.await("link reported down")
          .atMost(Duration.ofSeconds(60))
          .until(() -> edge.linkState() == LinkState.DISCONNECTED);
      assertThat(podNames(edge)).containsExactly("before");
      Duration outage = Duration.ofMillis(Long.getLong("kedge.it.outage.ms", 30_000));
      Awaitility.await("broker outage of " + outage)
          .pollDelay(outage)
          .atMost(outage.plusSeconds(5))
          .until(() -> true);
      kafka.startNode(0);
      send(upsert("after"));
      Awaitility.await("both pods")
          .atMost(Duration.ofSeconds(90))
          .until(() -> podNames(edge).equals(List.of("after", "before")));
      assertThat(edge.linkState()).isEqualTo(LinkState.CONNECTED);
    }
  }

  @Test
  void retentionGapResyncsAndTheViewConvergesIncludingDeletes() throws Exception {
    try (EdgeNode edge = startEdge()) {
      answerResync(1, List.of("keep", "remove"));
      Awaitility.await("resynced")
          .atMost(Duration.ofSeconds(60))
          .until(() -> podNames(edge).equals(List.of("keep", "remove")));
    }
    // While the edge is down, the cloud moves on and retention deletes what it would have read.
    send(new ResourceDelete(ObjectKey.of(pod("remove")), ""));
    send(upsert("new"));
    TopicPartition tp = new TopicPartition(topics.node(NODE).name(), 0);
    long end =
        admin
            .listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()))
            .all()
            .get(30, TimeUnit.SECONDS)
            .get(tp)
            .offset();
    admin
        .deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(end)))
        .all()
        .get(30, TimeUnit.SECONDS);

    try (EdgeNode edge = startEdge()) {
      Awaitility.await("log replayed").atMost(Duration.ofSeconds(10)).until(edge::ready);
      assertThat(podNames(edge))
          .as("served from the log at once")
          .containsExactly("keep", "remove");
      answerResync(2, List.of("keep", "new"));
      Awaitility.await("converged")
          .atMost(Duration.ofSeconds(60))
          .until(() -> podNames(edge).equals(List.of("keep", "new")));
      Awaitility.await("connected")
          .atMost(Duration.ofSeconds(30))
          .until(() -> edge.linkState() == LinkState.CONNECTED);
    }
  }

  @Test
  void uplinkEventsWrittenWhileTheBrokerIsDownDrainWithoutLossOrDuplicates() throws Exception {
    int count = Integer.getInteger("kedge.it.uplink.events", 10_000);
    Set<String> ids = new HashSet<>();
    try (EdgeNode edge = startEdge()) {
      answerResync(1, List.of());
      kafka.stopNode(0);
      Awaitility.await("link reported down")
          .atMost(Duration.ofSeconds(60))
          .until(() -> edge.linkState() == LinkState.DISCONNECTED);
      UplinkLog uplink = edge.uplinkLog();
      for (int i = 0; i < count; i++) {
        uplink.append(
            new EventbusMessage("m" + i, NODE, "default/telemetry", new byte[] {(byte) i}), "");
      }
      kafka.startNode(0);
      List<String> messages = new ArrayList<>();
      try (KafkaConsumer<String, byte[]> consumer = upstreamConsumer()) {
        Awaitility.await(count + " uplink messages")
            .atMost(Duration.ofMinutes(3))
            .until(
                () -> {
                  for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    KedgeEvent event = codec.decode(r.headers(), r.value());
                    if (event.data() instanceof EventbusMessage m) {
                      messages.add(m.messageId());
                      ids.add(event.id());
                    }
                  }
                  return new HashSet<>(messages).size() >= count;
                });
      }
      assertThat(messages)
          .as("every event once, none twice")
          .hasSize(count)
          .doesNotHaveDuplicates();
      assertThat(ids).hasSize(count);
      System.out.printf(
          "uplink-drain: events=%d received=%d distinct-ids=%d%n",
          count, messages.size(), ids.size());
    }
  }
}
