package io.kedge.edge.relay.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Free space the node's queues must leave on their file system. Chronicle writes through memory
 * maps, where a full disk is a crash (SIGBUS), not an error; so appends are refused first, with a
 * clear error, while at least {@code minFreeBytes} remain. Free space is sampled at most every 250
 * ms.
 */
public final class DiskReserve {
  /** No reserve: never refuses. */
  public static final DiskReserve NONE = new DiskReserve(Path.of("."), 0, () -> Long.MAX_VALUE);

  private static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  private final Path dir;
  private final long minFreeBytes;
  private final LongSupplier usableBytes;
  private volatile long sampledAt = Long.MIN_VALUE;
  private volatile long lastUsable = Long.MAX_VALUE;

  /**
   * @param usableBytes free space available to this process (tests simulate a full disk with it)
   */
  public DiskReserve(Path dir, long minFreeBytes, LongSupplier usableBytes) {
    this.dir = dir;
    this.minFreeBytes = minFreeBytes;
    this.usableBytes = usableBytes;
  }

  /** The reserve on the file system holding {@code dir}. */
  public static DiskReserve of(Path dir, long minFreeBytes) {
    FileStore store;
    try {
      store = Files.getFileStore(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find the file system of " + dir, e);
    }
    return new DiskReserve(
        dir,
        minFreeBytes,
        () -> {
          try {
            return store.getUsableSpace();
          } catch (IOException e) {
            return Long.MAX_VALUE; // cannot tell: let the write try
          }
        });
  }

  /** Free bytes as last sampled. */
  public long usableBytes() {
    sample();
    return lastUsable;
  }

  public boolean full() {
    return usableBytes() < minFreeBytes;
  }

  /**
   * @throws DiskFullException naming what was refused, the directory and the numbers
   */
  public void check(String what) {
    if (full()) {
      throw new DiskFullException(
          what
              + " refused: "
              + (lastUsable >> 20)
              + " MiB free on the file system of "
              + dir
              + ", below log.min-free-disk ("
              + (minFreeBytes >> 20)
              + " MiB); free space or raise log.disk-budget's headroom");
    }
  }

  private void sample() {
    long now = System.nanoTime();
    if (now - sampledAt >= SAMPLE_NANOS || sampledAt == Long.MIN_VALUE) {
      lastUsable = usableBytes.getAsLong();
      sampledAt = now;
    }
  }

  /** An append was refused to keep the reserve. */
  public static final class DiskFullException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public DiskFullException(String message) {
      super(message);
    }
  }
}
