package io.kedge.testkit;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {
  @Test
  void aCountThatKeepsMovingIsAwaitedPastTheStallWindow() {
    AtomicLong count = new AtomicLong();
    Thread ticker =
        new Thread(
            () -> {
              for (int i = 0; i < 20; i++) {
                sleep(30);
                count.incrementAndGet();
              }
            });
    ticker.start();

    assertThatCode(() -> Progress.awaitCount("ticks", count::get, 20, Duration.ofMillis(300)))
        .doesNotThrowAnyException();
  }

  @Test
  void aCountThatStopsShortFailsNamingWhereItStopped() {
    AtomicLong count = new AtomicLong(7);

    assertThatThrownBy(() -> Progress.awaitCount("acks", count::get, 10, Duration.ofMillis(200)))
        .isInstanceOf(AssertionError.class)
        .hasMessage("acks: 7 of 10, unchanged for 200 ms");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
