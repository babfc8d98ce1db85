package io.kedge.edge.relay.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class EntryBatchTest {
  private static RecordHeaders headers(int i) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("ce_id", ("id-" + i).getBytes(StandardCharsets.UTF_8));
    headers.add("ce_type", "io.kedge.resource.upsert.v1".getBytes(StandardCharsets.UTF_8));
    return headers;
  }

  private static byte[] value(int i) {
    return ("{\"n\":" + i + ",\"pad\":\"" + "x".repeat(i * 300) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static DownlinkLog.RawEntry entry(EntryBatch batch, int i) {
    byte[] bytes =
        Arrays.copyOfRange(batch.bytes(), batch.start(i), batch.start(i) + batch.length(i));
    return EntryFormat.decode(i, bytes);
  }

  @Test
  void everyEntryReadsBackAsItsRecordAfterTheBufferGrew() {
    EntryBatch batch = new EntryBatch();
    for (int i = 0; i < 100; i++) { // ~1.5 MB: the buffer and the arrays grow several times
      batch.add(2, 1_000 + i, "pods/p-" + i, headers(i), value(i));
    }
    assertThat(batch.size()).isEqualTo(100);
    for (int i = 0; i < 100; i++) {
      DownlinkLog.RawEntry entry = entry(batch, i);
      assertThat(batch.offset(i)).isEqualTo(1_000 + i);
      assertThat(batch.partition(i)).isEqualTo(2);
      assertThat(entry.offset()).isEqualTo(1_000 + i);
      assertThat(entry.key()).isEqualTo("pods/p-" + i);
      assertThat(entry.headers().toArray()).containsExactly(headers(i).toArray());
      assertThat(entry.value()).isEqualTo(value(i));
    }
  }

  @Test
  void aClearedBatchIsReusedFromItsStart() {
    EntryBatch batch = new EntryBatch();
    batch.add(0, 1, "a", headers(1), value(1));
    batch.add(0, 2, "b", headers(2), value(2));
    batch.clear();
    assertThat(batch.size()).isZero();
    batch.add(0, 3, "c", headers(3), value(3));
    assertThat(batch.size()).isEqualTo(1);
    assertThat(batch.start(0)).isZero();
    assertThat(entry(batch, 0).key()).isEqualTo("c");
    assertThat(entry(batch, 0).value()).isEqualTo(value(3));
  }
}
