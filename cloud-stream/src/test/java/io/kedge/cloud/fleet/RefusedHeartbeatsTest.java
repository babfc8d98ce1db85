package io.kedge.cloud.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Refused heartbeats are logged once per node and minute, with how many were left out. */
class RefusedHeartbeatsTest {
  private final AtomicLong now = new AtomicLong(1_000_000);

  @Test
  void aNodesRefusalsAreSummedBetweenLines() {
    RefusedHeartbeats refused = new RefusedHeartbeats(now::get, Duration.ofMinutes(1));
    assertThat(refused.refused("edge-1", "kedge.upstream-0@1", "unsigned"))
        .isEqualTo("heartbeat kedge.upstream-0@1 of node edge-1 refused: unsigned");
    for (int i = 2; i <= 6; i++) {
      now.addAndGet(10_000);
      assertThat(refused.refused("edge-1", "kedge.upstream-0@" + i, "unsigned")).isNull();
    }
    assertThat(refused.refused("edge-2", "kedge.upstream-0@7", "unsigned"))
        .as("another node has its own line")
        .isNotNull();
    now.addAndGet(10_000);
    assertThat(refused.refused("edge-1", "kedge.upstream-0@8", "bad-signature"))
        .isEqualTo(
            "heartbeat kedge.upstream-0@8 of node edge-1 refused: bad-signature (and 5 more of"
                + " this node's refused since the last line)");
  }
}
