package io.kedge.edge.relay.log;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.wire.DocumentContext;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * One entry of the downlink log as it is on disk: a record from the node topic (its Kafka
 * coordinates, key, headers and value as received), a change made on the node (local), or a record
 * that arrived invalid (poison, with the reason). For the relay's readers and for inspection tools.
 */
public record RawEntry(
    long index,
    boolean poison,
    boolean local,
    int partition,
    long offset,
    String key,
    Headers headers,
    byte[] value,
    String reason) {
  /** Entries written before the checksum and the key (still read). */
  private static final byte FORMAT_1 = 1;

  /** Format 1 only: a record found invalid by the downlink, which validated then. */
  private static final byte POISON = 2;

  static RawEntry decode(DocumentContext dc) {
    Bytes<?> bytes = dc.wire().bytes();
    int format = bytes.peekUnsignedByte();
    if (format == EntryFormat.FORMAT || format == EntryFormat.FORMAT_2) {
      byte[] entry = new byte[(int) bytes.readRemaining()];
      bytes.read(entry);
      return EntryFormat.decode(dc.index(), entry);
    }
    if (format != FORMAT_1) { // damaged, or written by a newer kedge
      throw new IllegalStateException("log entry " + dc.index() + " has unknown format " + format);
    }
    bytes.readByte();
    byte kind = bytes.readByte();
    boolean poison = kind == POISON;
    int partition = bytes.readInt();
    long offset = bytes.readLong();
    int count = (int) bytes.readStopBit();
    RecordHeaders headers = new RecordHeaders();
    for (int i = 0; i < count; i++) {
      String key = bytes.readUtf8();
      headers.add(key, readBytes(bytes));
    }
    byte[] value = readBytes(bytes);
    String reason = bytes.readUtf8();
    return new RawEntry(
        dc.index(),
        poison,
        kind == EntryFormat.LOCAL,
        partition,
        offset,
        null,
        headers,
        value,
        reason == null ? "" : reason);
  }

  private static byte[] readBytes(Bytes<?> bytes) {
    long length = bytes.readStopBit();
    if (length < 0) {
      return null;
    }
    byte[] value = new byte[(int) length];
    bytes.read(value);
    return value;
  }
}
