package io.kedge.edge.relay.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class EntryFormatTest {
  private final EntryFormat format = new EntryFormat();

  private static RecordHeaders headers() {
    RecordHeaders headers = new RecordHeaders();
    headers.add("ce_type", "io.kedge.resource.upsert.v1".getBytes(StandardCharsets.UTF_8));
    headers.add("ce_subject", null);
    headers.add("é-key", new byte[0]);
    return headers;
  }

  private byte[] encoded(String key, byte[] value) {
    int length =
        format.encode(
            EntryFormat.EVENT,
            3,
            42L,
            key == null ? null : ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)),
            headers(),
            value == null ? null : ByteBuffer.wrap(value));
    return Arrays.copyOf(format.buffer(), length);
  }

  @Test
  void anEntryReadsBackAsWritten() {
    byte[] value = "x".repeat(10_000).getBytes(StandardCharsets.UTF_8); // grows the buffer
    RawEntry fields = EntryFormat.decode(7, encoded("pods/ü", value));
    assertThat(fields.index()).isEqualTo(7);
    assertThat(fields.local()).isFalse();
    assertThat(fields.partition()).isEqualTo(3);
    assertThat(fields.offset()).isEqualTo(42L);
    assertThat(fields.key()).isEqualTo("pods/ü");
    assertThat(fields.headers().toArray()).containsExactly(headers().toArray());
    assertThat(fields.value()).isEqualTo(value);
    assertThat(fields.reason()).isEmpty();
  }

  @Test
  void aNullKeyAndValueStayNull() {
    RawEntry fields = EntryFormat.decode(7, encoded(null, null));
    assertThat(fields.key()).isNull();
    assertThat(fields.value()).isNull();
  }

  @Test
  void anyChangedByteOfTheBodyIsCaughtByTheChecksum() {
    byte[] entry = encoded("k", "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
    for (int i = EntryFormat.PREFIX; i < entry.length; i++) {
      byte[] damaged = entry.clone();
      damaged[i] ^= 0x10;
      assertThatThrownBy(() -> EntryFormat.decode(0, damaged))
          .as("byte %d changed", i)
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void aCutEntryIsRefused() {
    byte[] entry = encoded("k", "{}".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> EntryFormat.decode(0, Arrays.copyOf(entry, entry.length - 1)))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> EntryFormat.decode(0, Arrays.copyOf(entry, 5)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cut short");
  }

  @Test
  void anEntryWithManyHeadersKeepsThemAllInOrder() {
    RecordHeaders many = new RecordHeaders();
    for (int i = 0; i < 40; i++) {
      many.add("h" + i, new byte[] {(byte) i});
    }
    int length = format.encode(EntryFormat.EVENT, 0, 1L, null, many, null);
    RawEntry fields = EntryFormat.decode(1, Arrays.copyOf(format.buffer(), length));
    assertThat(fields.headers().toArray()).hasSize(40);
    for (int i = 0; i < 40; i++) {
      assertThat(fields.headers().toArray()[i].key()).isEqualTo("h" + i);
      assertThat(fields.headers().toArray()[i].value()).containsExactly((byte) i);
    }
  }
}
