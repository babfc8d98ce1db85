package io.kedge.edge.relay.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class LogAppenderTest {
  private static final TopicPartition PARTITION = new TopicPartition("kedge.node.edge-1", 0);

  private static ConsumerRecords<ByteBuffer, ByteBuffer> batch(long from, long to) {
    List<ConsumerRecord<ByteBuffer, ByteBuffer>> records = new ArrayList<>();
    for (long offset = from; offset <= to; offset++) {
      records.add(
          new ConsumerRecord<>(
              PARTITION.topic(),
              0,
              offset,
              ByteBuffer.wrap(new byte[] {(byte) offset}),
              ByteBuffer.wrap(new byte[] {1})));
    }
    return new ConsumerRecords<>(Map.of(PARTITION, records), Map.of());
  }

  @Test
  void appendsBatchesInOrderAndRunsTheBatchHookAfterEach() throws Exception {
    List<Long> logged = new CopyOnWriteArrayList<>();
    List<Integer> sizesAtHook = new CopyOnWriteArrayList<>();
    try (LogAppender appender =
        new LogAppender(
                "test-appender", r -> logged.add(r.offset()), () -> sizesAtHook.add(logged.size()))
            .start()) {
      for (long from = 0; from < 50; from += 10) {
        assertThat(appender.submit(batch(from, from + 9))).isTrue();
      }
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> logged.size() == 50);
      assertThat(logged).isSorted().doesNotHaveDuplicates();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sizesAtHook.size() == 5);
      assertThat(sizesAtHook).containsExactly(10, 20, 30, 40, 50);
      assertThat(appender.failure()).isNull();
    }
  }

  @Test
  void afterAFailedAppendNothingIsLoggedUntilRewoundSoNoOffsetIsSkipped() throws Exception {
    List<Long> logged = new CopyOnWriteArrayList<>();
    RuntimeException full = new IllegalStateException("disk reserve reached");
    AtomicBoolean refused = new AtomicBoolean();
    try (LogAppender appender =
        new LogAppender(
                "test-appender",
                r -> {
                  if (r.offset() == 5 && refused.compareAndSet(false, true)) {
                    throw full; // refuse offset 5 once
                  }
                  logged.add(r.offset());
                },
                () -> {})
            .start()) {
      appender.submit(batch(0, 9));
      appender.submit(batch(10, 19)); // polled ahead: must be dropped, not logged after a gap
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> appender.failure() != null);
      assertThat(appender.failure()).isSameAs(full);

      appender.rewind(); // waits for the batch polled ahead to be dropped
      assertThat(appender.failure()).isNull();
      assertThat(logged).containsExactly(0L, 1L, 2L, 3L, 4L);

      appender.submit(batch(5, 19)); // the consumer sought back to last logged + 1
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> logged.size() == 20);
      assertThat(logged).isSorted().doesNotHaveDuplicates().startsWith(0L).endsWith(19L);
    }
  }
}
