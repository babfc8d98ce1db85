package io.kedge.edge.api.log;

import java.util.concurrent.locks.LockSupport;

/**
 * The node's log as the edge API reads it. The relay implements it on Chronicle Queue; tests use
 * {@link MemoryLog}. Indexes grow strictly but need not be contiguous.
 */
public interface EntryLog {
  /**
   * A reader positioned after {@code afterIndex} ({@code -1} for the start of the log). Readers are
   * single-threaded and must be closed.
   */
  LogReader readAfter(long afterIndex);

  /**
   * A count that changes with every append. A reader that has caught up reads it before its last
   * {@link LogReader#next()} and passes it to {@link #awaitAppend}, so an append in between is not
   * missed.
   */
  default long appendCount() {
    return 0;
  }

  /**
   * Parks the calling thread until an entry is appended after {@code seenCount} was read, or for at
   * most {@code maxNanos}. A log written in this process wakes its waiters on append; the default
   * only parks (entries appended by another process are seen when it ends).
   */
  default void awaitAppend(long seenCount, long maxNanos) {
    LockSupport.parkNanos(maxNanos);
  }

  /** Reads a log in order; {@link #next()} never blocks. */
  interface LogReader extends AutoCloseable {
    /** The next entry, or {@code null} when the reader has caught up. */
    LogEntry next();

    @Override
    void close();
  }
}
