package io.kedge.edge.relay.log;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * A Kafka header's name and value as the bytes the consumer received, for the log to copy as they
 * came. {@link Header#key()} and {@link Header#value()} would first build a String and a copy, each
 * behind a lock, on the log's appender thread for every header of every record: about a third of
 * what appending an event costs. A header the consumer parsed keeps both as slices of the fetch
 * response until someone asks for them; they are read here through Kafka's own fields, and any
 * other header (or a Kafka version whose fields differ: {@link #direct()} says which, and a test
 * pins it to the version shipped) goes through {@code key()} and {@code value()}, with the same
 * bytes as result.
 */
final class HeaderBytes {
  private static final VarHandle KEY = field("keyBuffer");
  private static final VarHandle VALUE = field("valueBuffer");

  private HeaderBytes() {}

  private static VarHandle field(String name) {
    try {
      return MethodHandles.privateLookupIn(RecordHeader.class, MethodHandles.lookup())
          .findVarHandle(RecordHeader.class, name, ByteBuffer.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // another Kafka version: key() and value() still give the same bytes
    }
  }

  /** Whether received headers are read without copies in this Kafka version. */
  static boolean direct() {
    return KEY != null && VALUE != null;
  }

  /**
   * The UTF-8 bytes of the header's name, from the buffer's position to its limit. The buffer may
   * be the consumer's own: read it with absolute gets and leave its position alone.
   */
  static ByteBuffer name(Header header) {
    ByteBuffer received = received(KEY, header);
    return received != null
        ? received
        : ByteBuffer.wrap(header.key().getBytes(StandardCharsets.UTF_8));
  }

  /** The header's value from the buffer's position to its limit (as for the name), or null. */
  static ByteBuffer value(Header header) {
    ByteBuffer received = received(VALUE, header);
    if (received != null) {
      return received;
    }
    byte[] value = header.value();
    return value == null ? null : ByteBuffer.wrap(value);
  }

  /**
   * The slice the consumer parsed, or null once {@code key()} / {@code value()} has replaced it (or
   * for any other header). Kafka hands the record to this thread before it is read here, and only
   * this thread reads it after, so a plain read sees the consumer's writes.
   */
  private static ByteBuffer received(VarHandle field, Header header) {
    if (field == null || header.getClass() != RecordHeader.class) {
      return null;
    }
    return (ByteBuffer) field.get(header);
  }
}
