package io.kedge.edge.relay.log;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The bytes of one log entry (format 2), encoded in one reusable buffer so the append is a single
 * copy into the queue:
 *
 * <pre>
 * format u8 | kind u8 | partition i32 | offset i64 | crc32c i32 of the body
 * body: key str | header count i32 | (name str, value bin)* | value bin | reason str
 * reason: always written empty (poison is no longer logged as such); read for the layout's sake
 * str, bin: length i32 (-1: null) then the bytes (UTF-8 for str); little-endian
 * </pre>
 *
 * The checksum tells an entry damaged on disk (unreadable: the relay asks for a resync) from a
 * record that arrived invalid (poison: readers skip it, it is dead-lettered). Format 1 entries (no
 * key, no checksum) are still read by {@link DownlinkLog}.
 */
final class EntryFormat {
  static final byte FORMAT = 2;

  /** Entry kinds: a record from the node topic, and a change made on this node. */
  static final byte EVENT = 1;

  static final byte LOCAL = 3;

  /** format, kind, partition, offset, checksum. */
  static final int PREFIX = 1 + 1 + 4 + 8 + 4;

  private final CRC32C crc = new CRC32C();
  private ByteBuffer buffer = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);

  /** Each header's name and value, found once for both the size and the writing. */
  private ByteBuffer[] parts = new ByteBuffer[32];

  /** Encodes an entry into {@link #buffer()}; returns its length. Not thread-safe. */
  int encode(
      byte kind, int partition, long offset, ByteBuffer key, Headers headers, ByteBuffer value) {
    int size = PREFIX + 4 + 4 + 4 + 4 + remaining(key) + remaining(value);
    int count = 0;
    for (Header header : headers) {
      if (2 * count + 2 > parts.length) {
        parts = Arrays.copyOf(parts, parts.length * 2);
      }
      ByteBuffer name = HeaderBytes.name(header);
      ByteBuffer headerValue = HeaderBytes.value(header);
      parts[2 * count] = name;
      parts[2 * count + 1] = headerValue;
      size += 8 + name.remaining() + remaining(headerValue);
      count++;
    }
    if (buffer.capacity() < size) {
      buffer =
          ByteBuffer.allocate(Math.max(size, buffer.capacity() * 2)).order(ByteOrder.LITTLE_ENDIAN);
    }
    ByteBuffer out = buffer.clear();
    out.put(FORMAT).put(kind).putInt(partition).putLong(offset).putInt(0);
    putBytes(out, key);
    out.putInt(count);
    for (int i = 0; i < 2 * count; i++) {
      putBytes(out, parts[i]);
    }
    Arrays.fill(parts, 0, 2 * count, null); // the record's buffers are not kept past its append
    putBytes(out, value);
    out.putInt(0); // reason: empty
    int length = out.position();
    crc.reset();
    crc.update(out.array(), PREFIX, length - PREFIX);
    out.putInt(PREFIX - 4, (int) crc.getValue());
    return length;
  }

  byte[] buffer() {
    return buffer.array();
  }

  /**
   * Decodes an entry of this format.
   *
   * @throws IllegalStateException when the checksum does not match or the entry is cut short
   */
  static RawEntry decode(long index, byte[] entry) {
    ByteBuffer in = ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN);
    try {
      in.get(); // format
      byte kind = in.get();
      int partition = in.getInt();
      long offset = in.getLong();
      int expected = in.getInt();
      CRC32C crc = new CRC32C();
      crc.update(entry, PREFIX, entry.length - PREFIX);
      if ((int) crc.getValue() != expected) {
        throw new IllegalStateException("checksum mismatch: damaged on disk");
      }
      String key = string(in);
      int count = in.getInt();
      RecordHeaders headers = new RecordHeaders();
      for (int i = 0; i < count; i++) {
        headers.add(string(in), bytes(in));
      }
      byte[] value = bytes(in);
      String reason = string(in);
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

  private static int remaining(ByteBuffer bytes) {
    return bytes == null ? 0 : bytes.remaining();
  }

  /** Writes the bytes from the buffer's position to its limit, leaving the buffer as it was. */
  private static void putBytes(ByteBuffer out, ByteBuffer bytes) {
    if (bytes == null) {
      out.putInt(-1);
    } else {
      int length = bytes.remaining();
      out.putInt(length).put(out.position(), bytes, bytes.position(), length);
      out.position(out.position() + length);
    }
  }

  private static byte[] bytes(ByteBuffer in) {
    int length = in.getInt();
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

  private static String string(ByteBuffer in) {
    byte[] bytes = bytes(in);
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }
}
