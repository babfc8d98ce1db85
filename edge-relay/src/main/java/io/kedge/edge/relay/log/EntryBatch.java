package io.kedge.edge.relay.log;

import java.util.Arrays;
import org.apache.kafka.common.header.Headers;

/**
 * Records from the node topic already encoded as log entries, so the thread that polled them pays
 * for the encoding (header names decoded, bytes laid out, checksum) and the log's appender thread
 * only copies each entry into the queue ({@link DownlinkLog#append(EntryBatch, int)}). Reusable
 * after {@link #clear()}; not thread-safe, handed from one thread to the next.
 */
public final class EntryBatch {
  private final EntryFormat format = new EntryFormat();
  private int[] ends = new int[64];
  private int[] partitions = new int[64];
  private long[] offsets = new long[64];
  private int size;

  /** Encodes a record from the node topic as the next entry. */
  public void add(int partition, long offset, String key, Headers headers, byte[] value) {
    if (size == ends.length) {
      ends = Arrays.copyOf(ends, size * 2);
      partitions = Arrays.copyOf(partitions, size * 2);
      offsets = Arrays.copyOf(offsets, size * 2);
    }
    ends[size] =
        format.encodeAt(end(size - 1), EntryFormat.EVENT, partition, offset, key, headers, value);
    partitions[size] = partition;
    offsets[size] = offset;
    size++;
  }

  public void clear() {
    size = 0;
  }

  public int size() {
    return size;
  }

  /** Bytes held for the entries, whether in use or not: what keeping this batch costs. */
  public int capacity() {
    return format.buffer().length;
  }

  public long offset(int entry) {
    return offsets[entry];
  }

  int partition(int entry) {
    return partitions[entry];
  }

  byte[] bytes() {
    return format.buffer();
  }

  int start(int entry) {
    return end(entry - 1);
  }

  int length(int entry) {
    return ends[entry] - end(entry - 1);
  }

  private int end(int entry) {
    return entry < 0 ? 0 : ends[entry];
  }
}
