package io.kedge.edge.relay.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
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
    assertThatThrownBy(() -> EntryFormat.decode(0, Arrays.copyOf(entry, 3)))
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

  @Test
  void theCloudEventsHeaderNamesTakeOneByteAndOthersAreWrittenOut() {
    RecordHeaders headers = new RecordHeaders();
    for (String name : EntryFormat.NAMES) {
      headers.add(name, new byte[] {1});
    }
    headers.add("x-trace", new byte[] {2});
    int length = format.encode(EntryFormat.EVENT, 0, 1L, null, headers, null);
    byte[] entry = Arrays.copyOf(format.buffer(), length);
    String text = new String(entry, StandardCharsets.ISO_8859_1);
    assertThat(text).doesNotContain("ce_").doesNotContain("content-type").contains("x-trace");
    assertThat(EntryFormat.decode(1, entry).headers().toArray()).containsExactly(headers.toArray());
  }

  @Test
  void coordinatesBeforeAnyRecordFromKafkaReadBack() {
    int length = format.encode(EntryFormat.LOCAL, -1, -1L, null, new RecordHeaders(), null);
    RawEntry fields = EntryFormat.decode(3, Arrays.copyOf(format.buffer(), length));
    assertThat(fields.local()).isTrue();
    assertThat(fields.partition()).isEqualTo(-1);
    assertThat(fields.offset()).isEqualTo(-1L);
  }

  /** Entries as format 2 wrote them (fixed-width lengths and coordinates), on nodes' disks. */
  @Test
  void format2EntriesAreStillRead() {
    byte[] event =
        HexFormat.of()
            .parseHex(
                "02010200000015cd5b0700000000ce0263550f000000706f64732f64656661756c742fc3bc0300"
                    + "00000e00000063655f7370656376657273696f6e03000000312e300700000063655f7479"
                    + "70651b000000696f2e6b656467652e7265736f757263652e7570736572742e7631070000"
                    + "00782d6f74686572ffffffff0e0000007b226b696e64223a22506f64227d00000000");
    RawEntry fields = EntryFormat.decode(9, event);
    assertThat(fields.local()).isFalse();
    assertThat(fields.partition()).isEqualTo(2);
    assertThat(fields.offset()).isEqualTo(123456789L);
    assertThat(fields.key()).isEqualTo("pods/default/ü");
    assertThat(fields.headers().lastHeader("ce_specversion").value())
        .isEqualTo("1.0".getBytes(StandardCharsets.UTF_8));
    assertThat(fields.headers().lastHeader("ce_type").value())
        .isEqualTo("io.kedge.resource.upsert.v1".getBytes(StandardCharsets.UTF_8));
    assertThat(fields.headers().lastHeader("x-other").value()).isNull();
    assertThat(fields.value()).isEqualTo("{\"kind\":\"Pod\"}".getBytes(StandardCharsets.UTF_8));

    byte[] local =
        HexFormat.of()
            .parseHex("0203ffffffffffffffffffffffff8ab2288cffffffff00000000ffffffff00000000");
    RawEntry first = EntryFormat.decode(10, local);
    assertThat(first.local()).isTrue();
    assertThat(first.offset()).isEqualTo(-1L);
    assertThat(first.headers().toArray()).isEmpty();

    event[event.length - 6] ^= 1; // a byte of the value
    assertThatThrownBy(() -> EntryFormat.decode(9, event))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("checksum");
  }
}
