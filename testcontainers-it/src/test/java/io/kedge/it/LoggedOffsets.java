package io.kedge.it;

import io.kedge.edge.relay.log.DownlinkLog;
import io.kedge.edge.relay.log.RawEntry;
import io.kedge.edge.relay.log.RawReader;
import io.kedge.schemas.EventCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.queue.RollCycles;

/** Reads an edge node's log from outside the process, as an operator inspecting it would. */
final class LoggedOffsets {
  private LoggedOffsets() {}

  /** The Kafka offset of every entry that came from Kafka (not local changes), in log order. */
  static List<Long> of(Path logDir) {
    List<Long> offsets = new ArrayList<>();
    try (DownlinkLog log = DownlinkLog.open(logDir, RollCycles.FAST_DAILY, new EventCodec());
        RawReader reader = log.readRawAfter(-1)) {
      RawEntry entry;
      while ((entry = reader.next()) != null) {
        if (!entry.local()) {
          offsets.add(entry.offset());
        }
      }
    }
    return offsets;
  }

  /** The offset of the last log entry, or -1. */
  static long last(Path logDir) {
    try (DownlinkLog log = DownlinkLog.open(logDir, RollCycles.FAST_DAILY, new EventCodec())) {
      return log.lastPosition().map(DownlinkLog.Position::offset).orElse(-1L);
    }
  }
}
