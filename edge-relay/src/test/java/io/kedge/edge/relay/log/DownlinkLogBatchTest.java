package io.kedge.edge.relay.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceUpsert;
import java.net.URI;
import java.nio.file.Path;
import net.openhft.chronicle.queue.RollCycles;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Entries encoded on the polling thread and appended by the log's appender thread. */
class DownlinkLogBatchTest {
  @TempDir Path dir;
  private final EventCodec codec = new EventCodec();

  private KedgeEvent pod(String name) {
    ObjectNode pod = EventCodec.json().createObjectNode();
    pod.put("apiVersion", "v1").put("kind", "Pod");
    pod.putObject("metadata").put("name", name).put("namespace", "default");
    return KedgeEvent.of(URI.create("/t"), "", new ResourceUpsert(ObjectKey.of(pod), "1", pod));
  }

  private void add(EntryBatch batch, long offset, String name) {
    RecordHeaders headers = new RecordHeaders();
    byte[] value = codec.encode(pod(name), headers);
    batch.add(0, offset, "default/" + name, headers, value);
  }

  @Test
  void batchEntriesAreLoggedInOrderAndMoveTheDownlinksPosition() {
    try (DownlinkLog log = DownlinkLog.open(dir.resolve("log"), RollCycles.FAST_DAILY, codec)) {
      EntryBatch batch = new EntryBatch();
      add(batch, 7, "a");
      add(batch, 8, "b");
      add(batch, 9, "c");
      long first = log.append(batch, 0);
      assertThat(log.append(batch, 1)).isGreaterThan(first);
      assertThat(log.lastPosition().orElseThrow().offset()).isEqualTo(8);
      log.append(batch, 2);
      DownlinkLog.Position last = log.lastPosition().orElseThrow();
      assertThat(last.offset()).isEqualTo(9);
      assertThat(last.index()).isEqualTo(log.lastIndex());

      log.appendLocal(pod("local")); // repeats the coordinates of the last record
      assertThat(log.lastPosition().orElseThrow().offset()).isEqualTo(9);
      assertThat(LogFiles.podNames(log)).containsExactly("a", "b", "c", "local");
    }
  }
}
