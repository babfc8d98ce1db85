package io.kedge.edge.relay.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.kedge.edge.api.log.EntryLog;
import io.kedge.schemas.EventCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.queue.RollCycles;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers that have caught up wait for the next append, not for a poll interval: the waits here are
 * a minute long, so only the append's wake-up ends them within the test's bound.
 */
class DownlinkLogWakeTest {
  private static final long A_MINUTE = TimeUnit.MINUTES.toNanos(1);
  private static final Duration BOUND = Duration.ofSeconds(20);

  @TempDir Path dir;

  /** As the downlink logs a batch: its entries, then one wake-up. */
  private static void append(DownlinkLog log, long offset) {
    log.appendEvent(0, offset, "k", new RecordHeaders(), "{}".getBytes(StandardCharsets.UTF_8));
    log.wakeReaders();
  }

  /** A new thread each time: a pooled one may carry an interrupt that ends a park at once. */
  private static Thread waiting(Runnable wait) {
    Thread thread = new Thread(wait, "test-log-reader");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static void assertEnds(Thread reader) throws InterruptedException {
    reader.join(BOUND.toMillis());
    boolean waiting = reader.isAlive();
    reader.interrupt();
    assertThat(waiting).as("the reader still waits after " + BOUND).isFalse();
  }

  @Test
  void aWaitingReaderIsWokenByTheNextBatch() throws Exception {
    try (DownlinkLog log =
        DownlinkLog.open(dir.resolve("log"), RollCycles.FAST_DAILY, new EventCodec())) {
      EntryLog entries = log;
      long seen = entries.appendCount();
      Thread reader = waiting(() -> entries.awaitAppend(seen, A_MINUTE));
      // the reader may or may not be parked yet: either way the append must end its wait
      append(log, 1);
      assertEnds(reader);
      assertThat(entries.appendCount()).isNotEqualTo(seen);
    }
  }

  @Test
  void anAppendBeforeTheWaitIsNotMissed() throws Exception {
    try (DownlinkLog log =
        DownlinkLog.open(dir.resolve("log"), RollCycles.FAST_DAILY, new EventCodec())) {
      long seen = log.appendCount();
      append(log, 1); // between the reader's last look and its wait
      assertEnds(waiting(() -> log.awaitAppend(seen, A_MINUTE)));
    }
  }
}
