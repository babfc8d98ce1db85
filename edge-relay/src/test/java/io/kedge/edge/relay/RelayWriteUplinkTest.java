package io.kedge.edge.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kedge.edge.api.write.UplinkFullException;
import io.kedge.edge.relay.uplink.MutableClock;
import io.kedge.edge.relay.uplink.OfflineForwarder;
import io.kedge.edge.relay.uplink.UplinkBounds;
import io.kedge.edge.relay.uplink.UplinkForwarder;
import io.kedge.edge.relay.uplink.UplinkLog;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.WriteRequest;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** REJECT: a full uplink refuses writes with the reason, and keeps everything it holds. */
class RelayWriteUplinkTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock();

  private static WriteRequest write(int i) {
    return new WriteRequest(
        "w-" + i,
        "edge-1",
        WriteOperation.DELETE,
        ObjectKey.parse("/v1/Pod/default/p" + i),
        "",
        "",
        null,
        "",
        false,
        "");
  }

  private RelayWriteUplink uplink(UplinkLog log, UplinkBounds bounds) {
    UplinkForwarder forwarder = OfflineForwarder.of(log, dir, bounds, clock);
    return new RelayWriteUplink("edge-1", null, log, forwarder, null, bounds, clock);
  }

  @Test
  void aFullUplinkRefusesWritesByCount() {
    try (UplinkLog log = OfflineForwarder.queue(dir, clock)) {
      RelayWriteUplink uplink =
          uplink(log, new UplinkBounds(3, Duration.ofDays(1), UplinkBounds.FullPolicy.REJECT));
      for (int i = 0; i < 3; i++) {
        uplink.forward(write(i));
      }
      assertThatThrownBy(() -> uplink.forward(write(3)))
          .isInstanceOf(UplinkFullException.class)
          .hasMessageContaining("holds 3 events")
          .hasMessageContaining("uplink.max-events (3)");
      assertThat(log.countAfter(-1)).isEqualTo(3);
    }
  }

  @Test
  void aFullUplinkRefusesWritesByAge() {
    try (UplinkLog log = OfflineForwarder.queue(dir, clock)) {
      RelayWriteUplink uplink =
          uplink(log, new UplinkBounds(100, Duration.ofMinutes(5), UplinkBounds.FullPolicy.REJECT));
      uplink.forward(write(0));
      clock.advance(Duration.ofMinutes(6));
      assertThatThrownBy(() -> uplink.forward(write(1)))
          .isInstanceOf(UplinkFullException.class)
          .hasMessageContaining("uplink.max-age (PT5M)");
      assertThat(log.countAfter(-1)).isEqualTo(1);
    }
  }
}
