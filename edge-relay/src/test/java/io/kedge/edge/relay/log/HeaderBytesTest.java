package io.kedge.edge.relay.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

class HeaderBytesTest {
  /** A header as the consumer parses it: name and value are slices of one fetch response. */
  private static RecordHeader received(String name, String value) {
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    byte[] valueBytes = value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
    ByteBuffer response = ByteBuffer.allocate(3 + nameBytes.length + valueBytes.length + 3);
    response.position(3);
    response.put(nameBytes).put(valueBytes);
    ByteBuffer nameSlice = response.duplicate().position(3).limit(3 + nameBytes.length).slice();
    ByteBuffer valueSlice =
        value == null
            ? null
            : response
                .duplicate()
                .position(3 + nameBytes.length)
                .limit(3 + nameBytes.length + valueBytes.length)
                .slice();
    return new RecordHeader(nameSlice, valueSlice);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    return buffer == null ? null : Utils.toArray(buffer);
  }

  @Test
  void theKafkaVersionShippedLetsReceivedHeadersBeReadWithoutCopies() {
    // fails when a Kafka upgrade renames RecordHeader's fields: appends would still be right, but
    // a third slower (see HeaderBytes)
    assertThat(HeaderBytes.direct()).isTrue();
  }

  @Test
  void aReceivedHeaderGivesTheBytesItCameWithAndIsLeftUnread() {
    RecordHeader header = received("ce_type", "io.kedge.resource.upsert.v1");
    ByteBuffer name = HeaderBytes.name(header);
    ByteBuffer value = HeaderBytes.value(header);
    assertThat(bytes(name)).isEqualTo("ce_type".getBytes(StandardCharsets.UTF_8));
    assertThat(bytes(value))
        .isEqualTo("io.kedge.resource.upsert.v1".getBytes(StandardCharsets.UTF_8));
    // the slices are the consumer's own, read in place: still whole for key() and value() later
    assertThat(header.key()).isEqualTo("ce_type");
    assertThat(header.value())
        .isEqualTo("io.kedge.resource.upsert.v1".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aHeaderAlreadyReadThroughKeyAndValueGivesTheSameBytes() {
    RecordHeader header = received("é-name", "v");
    header.key();
    header.value(); // Kafka drops its slices once these have been built
    assertThat(bytes(HeaderBytes.name(header)))
        .isEqualTo("é-name".getBytes(StandardCharsets.UTF_8));
    assertThat(bytes(HeaderBytes.value(header))).isEqualTo(new byte[] {'v'});
  }

  @Test
  void nullValuesAndHeadersBuiltHereComeOutAsTheyWent() {
    assertThat(HeaderBytes.value(received("ce_subject", null))).isNull();
    Header built = new RecordHeader("ce_id", new byte[] {1, 2});
    assertThat(bytes(HeaderBytes.name(built))).isEqualTo("ce_id".getBytes(StandardCharsets.UTF_8));
    assertThat(bytes(HeaderBytes.value(built))).isEqualTo(new byte[] {1, 2});
    assertThat(HeaderBytes.value(new RecordHeader("ce_subject", null))).isNull();
  }

  @Test
  void anEntryFromReceivedHeadersIsTheEntryFromTheSameHeadersBuiltHere() {
    RecordHeaders fromConsumer = new RecordHeaders();
    fromConsumer.add(received("ce_type", "io.kedge.resource.upsert.v1"));
    fromConsumer.add(received("ce_subject", null));
    fromConsumer.add(received("é-key", ""));
    RecordHeaders built = new RecordHeaders();
    built.add("ce_type", "io.kedge.resource.upsert.v1".getBytes(StandardCharsets.UTF_8));
    built.add("ce_subject", null);
    built.add("é-key", new byte[0]);
    ByteBuffer key = ByteBuffer.wrap(new byte[] {'k'});
    ByteBuffer value = ByteBuffer.wrap("{}".getBytes(StandardCharsets.UTF_8));

    EntryFormat format = new EntryFormat();
    byte[] fromReceived =
        Arrays.copyOf(
            format.buffer(), format.encode(EntryFormat.EVENT, 0, 5, key, fromConsumer, value));
    byte[] fromBuilt =
        Arrays.copyOf(format.buffer(), format.encode(EntryFormat.EVENT, 0, 5, key, built, value));
    assertThat(fromReceived).isEqualTo(fromBuilt);
    assertThat(value.position()).isZero(); // the record's key and value are left as they were
    assertThat(key.position()).isZero();
    RawEntry entry = EntryFormat.decode(1, fromReceived);
    assertThat(entry.headers().lastHeader("ce_subject").value()).isNull();
    assertThat(entry.headers().lastHeader("é-key").value()).isEmpty();
  }
}
