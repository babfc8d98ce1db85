package io.kedge.edge.relay.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import io.kedge.schemas.EventbusMessage;
import io.kedge.schemas.ResyncRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DROP_OLDEST: a full uplink drops its oldest events, counted, and keeps resync requests. */
class UplinkBoundsTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock();

  private static EventbusMessage message(int i) {
    return new EventbusMessage("m" + i, "edge-1", "default/sensors", new byte[] {(byte) i});
  }

  /** At most 4 events, none older than an hour. */
  private UplinkForwarder forwarder(UplinkLog log, UplinkBounds.FullPolicy policy) {
    return OfflineForwarder.of(log, dir, new UplinkBounds(4, Duration.ofHours(1), policy), clock);
  }

  @Test
  void theOldestEventsBeyondTheBoundsAreDroppedAndResyncRequestsKept() throws Exception {
    try (UplinkLog log = OfflineForwarder.queue(dir, clock)) {
      for (int i = 0; i < 10; i++) {
        if (i == 2) {
          log.append(new ResyncRequest("edge-1", "resync-1", "the log is new"), "");
        } else {
          log.append(message(i), "");
        }
      }
      UplinkForwarder forwarder = forwarder(log, UplinkBounds.FullPolicy.DROP_OLDEST);
      forwarder.trim();
      assertThat(forwarder.droppedCount()).isEqualTo(6);
      List<Object> left = remaining(log, forwarder.forwardedIndex());
      assertThat(left).hasSize(4);
      assertThat(left.get(3)).isInstanceOf(ResyncRequest.class);
      assertThat(Files.readString(dir.resolve("uplink.position")).trim())
          .isEqualTo(Long.toString(forwarder.forwardedIndex()));

      // an hour later everything waiting is too old: dropped, the resync request kept again
      clock.advance(Duration.ofHours(2));
      forwarder.trim();
      assertThat(forwarder.droppedCount()).isEqualTo(9);
      assertThat(remaining(log, forwarder.forwardedIndex()))
          .singleElement()
          .isInstanceOf(ResyncRequest.class);
    }
  }

  @Test
  void rejectDropsNothing() throws Exception {
    try (UplinkLog log = OfflineForwarder.queue(dir, clock)) {
      for (int i = 0; i < 10; i++) {
        log.append(message(i), "");
      }
      UplinkForwarder forwarder = forwarder(log, UplinkBounds.FullPolicy.REJECT);
      clock.advance(Duration.ofHours(2));
      forwarder.trim();
      assertThat(forwarder.droppedCount()).isZero();
      assertThat(log.countAfter(forwarder.forwardedIndex())).isEqualTo(10);
    }
  }

  private static List<Object> remaining(UplinkLog log, long after) {
    List<Object> data = new ArrayList<>();
    try (UplinkLog.Reader reader = log.readAfter(after)) {
      UplinkLog.Pending pending;
      while ((pending = reader.next()) != null) {
        data.add(pending.data());
      }
    }
    return data;
  }
}
