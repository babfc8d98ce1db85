package io.kedge.edge.relay.log;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/** Follows the downlink log entry by entry, as {@link RawEntry}s; single-threaded. */
public final class RawReader implements AutoCloseable {
  private final ExcerptTailer tailer;
  private final Unreadable unreadable;

  /** What a reader does with an entry that cannot be decoded. */
  interface Unreadable {
    void skip(long index, String why);
  }

  RawReader(ExcerptTailer tailer, Unreadable unreadable) {
    this.tailer = tailer;
    this.unreadable = unreadable;
  }

  /** The next entry, or {@code null} when caught up. */
  public RawEntry next() {
    while (true) {
      try (DocumentContext dc = tailer.readingDocument()) {
        if (!dc.isPresent()) {
          return null;
        }
        try {
          return RawEntry.decode(dc);
        } catch (RuntimeException e) {
          unreadable.skip(dc.index(), e.toString());
        }
      }
    }
  }

  @Override
  public void close() {
    tailer.close();
  }
}
