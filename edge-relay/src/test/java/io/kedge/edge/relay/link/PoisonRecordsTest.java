package io.kedge.edge.relay.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.kedge.edge.relay.log.RawEntry;
import io.kedge.schemas.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PoisonRecordsTest {
  @TempDir Path dir;
  private final MockProducer<String, byte[]> producer =
      new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());

  private static RawEntry entry(long index, long offset) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("ce_type", "io.kedge.resource.upsert.v9".getBytes(StandardCharsets.UTF_8));
    return new RawEntry(
        index, false, false, 0, offset, "key-" + offset, headers, new byte[] {1}, "");
  }

  private PoisonRecords poison() {
    return new PoisonRecords(
        "edge-1",
        "kedge.node.edge-1",
        dir.resolve("poison.position"),
        producer,
        "kedge.deadletter");
  }

  @Test
  void eachInvalidEntryIsDeadLetteredOnceAcrossReadersAndRestarts() {
    try (PoisonRecords poison = poison()) {
      poison.poisoned(entry(7, 70), "type 'v9' is unknown");
      poison.poisoned(entry(7, 70), "type 'v9' is unknown"); // the second reader
      poison.poisoned(entry(9, 90), "data is not valid JSON");
      assertThat(poison.count()).isEqualTo(2);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 2);
    }
    try (PoisonRecords restarted = poison()) {
      restarted.poisoned(entry(9, 90), "data is not valid JSON"); // replayed after the restart
      restarted.poisoned(entry(12, 120), "data is not valid JSON");
      assertThat(restarted.count()).isEqualTo(1);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 3);
    }
    var letter = producer.history().get(0);
    assertThat(letter.topic()).isEqualTo("kedge.deadletter");
    assertThat(letter.key()).isEqualTo("key-70");
    assertThat(DeadLetter.header(letter.headers(), DeadLetter.SOURCE_TOPIC))
        .isEqualTo("kedge.node.edge-1");
    assertThat(DeadLetter.header(letter.headers(), DeadLetter.SOURCE_OFFSET)).isEqualTo("70");
    assertThat(DeadLetter.header(letter.headers(), DeadLetter.REASON)).contains("v9");
    assertThat(producer.history().get(2).key()).isEqualTo("key-120");
  }
}
