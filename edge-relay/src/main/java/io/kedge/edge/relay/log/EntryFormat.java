package io.kedge.edge.relay.log;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * The bytes of one log entry, encoded in one reusable buffer so the append is a single copy into
 * the queue. Entries are written in format 3:
 *
 * <pre>
 * format u8 | crc32c i32 of what follows
 * kind u8 | partition varint | offset varlong | key bin | header count uvarint | header* | value bin
 * header: name code uvarint (0: the name follows as bin; n: {@link #NAMES}[n - 1]) | value bin
 * bin: uvarint length + 1 (0: null) then the bytes (UTF-8 for the key and names)
 * varint, varlong: zig-zag, as in Kafka's record format; crc little-endian
 * </pre>
 *
 * An entry is mostly its value: in a pod event of 1 KiB the lengths, the coordinates and the
 * CloudEvents header names were a tenth of format 2's bytes, and each byte the log writes is paid
 * for in new pages (docs/decisions/0002). Format 2 ({@code format u8 | kind u8 | partition i32 |
 * offset i64 | crc32c i32 | key str | header count i32 | (name str, value bin)* | value bin |
 * reason str}, with i32 lengths, -1 for null) and format 1 ({@link RawEntry}) are still read.
 *
 * <p>The checksum tells an entry damaged on disk (unreadable: the relay asks for a resync) from a
 * record that arrived invalid (poison: readers skip it, it is dead-lettered).
 */
final class EntryFormat {
  static final byte FORMAT = 3;

  /** The layout with fixed-width lengths and coordinates, still read. */
  static final byte FORMAT_2 = 2;

  /** Entry kinds: a record from the node topic, and a change made on this node. */
  static final byte EVENT = 1;

  static final byte LOCAL = 3;

  /** Format 3's prefix: format and checksum, which covers every byte after it. */
  static final int PREFIX = 1 + 4;

  /** Format 2's prefix: format, kind, partition, offset, checksum. */
  private static final int PREFIX_2 = 1 + 1 + 4 + 8 + 4;

  /**
   * The header names written as a code: the CloudEvents 1.0 attributes in Kafka's binary mode. Part
   * of format 3: never reordered or changed (a name not listed is written out).
   */
  static final List<String> NAMES =
      List.of(
          "ce_specversion",
          "ce_id",
          "ce_source",
          "ce_type",
          "ce_time",
          "ce_subject",
          "ce_dataschema",
          "content-type");

  private static final ByteBuffer[] NAME_BYTES =
      NAMES.stream()
          .map(name -> ByteBuffer.wrap(name.getBytes(StandardCharsets.UTF_8)))
          .toArray(ByteBuffer[]::new);

  private final CRC32C crc = new CRC32C();
  private ByteBuffer buffer = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);

  /** Each header's name and value, found once for both the size and the writing. */
  private ByteBuffer[] parts = new ByteBuffer[32];

  /** Encodes an entry into {@link #buffer()}; returns its length. Not thread-safe. */
  int encode(
      byte kind, int partition, long offset, ByteBuffer key, Headers headers, ByteBuffer value) {
    // an upper bound: the coordinates, counts and lengths at their widest
    int size = PREFIX + 1 + 5 + 10 + 5 + 5 + 5 + remaining(key) + remaining(value);
    int count = 0;
    for (Header header : headers) {
      if (2 * count + 2 > parts.length) {
        parts = Arrays.copyOf(parts, parts.length * 2);
      }
      ByteBuffer name = HeaderBytes.name(header);
      ByteBuffer headerValue = HeaderBytes.value(header);
      parts[2 * count] = name;
      parts[2 * count + 1] = headerValue;
      size += 5 + 5 + name.remaining() + 5 + remaining(headerValue);
      count++;
    }
    if (buffer.capacity() < size) {
      buffer =
          ByteBuffer.allocate(Math.max(size, buffer.capacity() * 2)).order(ByteOrder.LITTLE_ENDIAN);
    }
    ByteBuffer out = buffer.clear();
    out.put(FORMAT).putInt(0).put(kind);
    ByteUtils.writeVarint(partition, out);
    ByteUtils.writeVarlong(offset, out);
    putBytes(out, key);
    ByteUtils.writeUnsignedVarint(count, out);
    for (int i = 0; i < 2 * count; i += 2) {
      putName(out, parts[i]);
      putBytes(out, parts[i + 1]);
    }
    Arrays.fill(parts, 0, 2 * count, null); // the record's buffers are not kept past its append
    putBytes(out, value);
    int length = out.position();
    crc.reset();
    crc.update(out.array(), PREFIX, length - PREFIX);
    out.putInt(1, (int) crc.getValue());
    return length;
  }

  byte[] buffer() {
    return buffer.array();
  }

  /**
   * Decodes an entry of format 3 or 2.
   *
   * @throws IllegalStateException when the checksum does not match or the entry is cut short
   */
  static RawEntry decode(long index, byte[] entry) {
    ByteBuffer in = ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN);
    try {
      boolean compact = in.get() == FORMAT;
      byte kind;
      int partition;
      long offset;
      int expected;
      if (compact) {
        expected = in.getInt();
        check(entry, PREFIX, expected);
        kind = in.get();
        partition = ByteUtils.readVarint(in);
        offset = ByteUtils.readVarlong(in);
      } else {
        kind = in.get();
        partition = in.getInt();
        offset = in.getLong();
        check(entry, PREFIX_2, in.getInt());
      }
      String key = string(in, compact);
      int count = compact ? ByteUtils.readUnsignedVarint(in) : in.getInt();
      RecordHeaders headers = new RecordHeaders();
      for (int i = 0; i < count; i++) {
        headers.add(compact ? name(in) : string(in, false), bytes(in, compact));
      }
      byte[] value = bytes(in, compact);
      String reason = compact ? null : string(in, false);
      return new RawEntry(
          index,
          false,
          kind == LOCAL,
          partition,
          offset,
          key,
          headers,
          value,
          reason == null ? "" : reason);
    } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
      throw new IllegalStateException("entry is cut short or malformed", e);
    }
  }

  private static void check(byte[] entry, int from, int expected) {
    CRC32C crc = new CRC32C();
    crc.update(entry, from, entry.length - from);
    if ((int) crc.getValue() != expected) {
      throw new IllegalStateException("checksum mismatch: damaged on disk");
    }
  }

  private static int remaining(ByteBuffer bytes) {
    return bytes == null ? 0 : bytes.remaining();
  }

  /** Writes a header name as its code, or as 0 and the name. */
  private static void putName(ByteBuffer out, ByteBuffer name) {
    for (int i = 0; i < NAME_BYTES.length; i++) {
      if (NAME_BYTES[i].equals(name)) { // compares the remaining bytes only
        ByteUtils.writeUnsignedVarint(i + 1, out);
        return;
      }
    }
    ByteUtils.writeUnsignedVarint(0, out);
    putBytes(out, name);
  }

  /** Writes the bytes from the buffer's position to its limit, leaving the buffer as it was. */
  private static void putBytes(ByteBuffer out, ByteBuffer bytes) {
    if (bytes == null) {
      ByteUtils.writeUnsignedVarint(0, out);
    } else {
      int length = bytes.remaining();
      ByteUtils.writeUnsignedVarint(length + 1, out);
      out.put(out.position(), bytes, bytes.position(), length);
      out.position(out.position() + length);
    }
  }

  private static String name(ByteBuffer in) {
    int code = ByteUtils.readUnsignedVarint(in);
    if (code > NAMES.size()) {
      throw new IllegalArgumentException("header name code " + code + " is not defined");
    }
    return code == 0 ? string(in, true) : NAMES.get(code - 1);
  }

  private static byte[] bytes(ByteBuffer in, boolean compact) {
    int length = compact ? ByteUtils.readUnsignedVarint(in) - 1 : in.getInt();
    if (length < 0) {
      return null;
    }
    if (length > in.remaining()) {
      throw new IllegalArgumentException("length " + length + " beyond the entry");
    }
    byte[] bytes = new byte[length];
    in.get(bytes);
    return bytes;
  }

  private static String string(ByteBuffer in, boolean compact) {
    byte[] bytes = bytes(in, compact);
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }
}
