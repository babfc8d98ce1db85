package io.kedge.edge.api.log;

import io.kedge.schemas.KedgeEvent;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/** An {@link EntryLog} in memory, for tests and tools: same contract, no durability. */
public final class MemoryLog implements EntryLog {
  private final ConcurrentSkipListMap<Long, LogEntry> entries = new ConcurrentSkipListMap<>();
  private final AtomicLong nextIndex;
  private final long step;

  /** Indexes start at {@code firstIndex} and grow by {@code step}, to mimic sparse indexes. */
  public MemoryLog(long firstIndex, long step) {
    this.nextIndex = new AtomicLong(firstIndex);
    this.step = step;
  }

  public MemoryLog() {
    this(1, 1);
  }

  /** Appends {@code event} and returns its index. */
  public synchronized long append(KedgeEvent event) {
    long index = nextIndex.getAndAdd(step);
    entries.put(index, new LogEntry(index, event));
    return index;
  }

  /** Drops entries before {@code index}, as retention would. */
  public void truncateBefore(long index) {
    entries.headMap(index).clear();
  }

  @Override
  public LogReader readAfter(long afterIndex) {
    return new LogReader() {
      private long last = afterIndex;

      @Override
      public LogEntry next() {
        var next = entries.higherEntry(last);
        if (next == null) {
          return null;
        }
        last = next.getKey();
        return next.getValue();
      }

      @Override
      public void close() {}
    };
  }
}
