package io.kedge.edge.api.log;

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

  /** Reads a log in order; {@link #next()} never blocks. */
  interface LogReader extends AutoCloseable {
    /** The next entry, or {@code null} when the reader has caught up. */
    LogEntry next();

    @Override
    void close();
  }
}
