package io.kedge.testkit;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {
  @Test
  void aCountThatKeepsMovingIsAwaitedPastTheStallWindow() {
    AtomicLong count = new AtomicLong();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    try {
      // 40 ticks 50 ms apart: 2 s in all, twice the stall window, never still for as long
      ticker.scheduleAtFixedRate(count::incrementAndGet, 50, 50, TimeUnit.MILLISECONDS);

      assertThatCode(() -> Progress.awaitCount("ticks", count::get, 40, Duration.ofSeconds(1)))
          .doesNotThrowAnyException();
    } finally {
      ticker.shutdownNow();
    }
  }

  @Test
  void aCountThatStopsShortFailsNamingWhereItStopped() {
    AtomicLong count = new AtomicLong(7);

    assertThatThrownBy(() -> Progress.awaitCount("acks", count::get, 10, Duration.ofMillis(200)))
        .isInstanceOf(AssertionError.class)
        .hasMessage("acks: 7 of 10, unchanged for 200 ms");
  }
}
