package io.kedge.edge.relay.log;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;

/**
 * The roll-cycle files of a Chronicle queue that are no longer written, and their deletion. The
 * cycle being written is never offered.
 */
public final class QueueCycles {
  /** One closed cycle: its number, file and size, and the first log index after it. */
  public record Cycle(int cycle, Path file, long bytes, long nextIndex) {}

  private QueueCycles() {}

  /** Closed cycles, oldest first. */
  public static List<Cycle> closed(SingleChronicleQueue queue) {
    queue.refreshDirectoryListing();
    int last = queue.lastCycle();
    int first = queue.firstCycle();
    List<Cycle> cycles = new ArrayList<>();
    if (first == Integer.MAX_VALUE || last == Integer.MIN_VALUE) {
      return cycles; // empty queue
    }
    for (Long boxed : queue.listCyclesBetween(first, last)) {
      int cycle = boxed.intValue();
      if (cycle >= last) {
        continue;
      }
      SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
      if (store == null) {
        continue;
      }
      File file;
      try {
        file = store.file();
      } finally {
        queue.closeStore(store);
      }
      cycles.add(
          new Cycle(cycle, file.toPath(), file.length(), queue.rollCycle().toIndex(cycle + 1, 0)));
    }
    return cycles;
  }

  /** Deletes the files of {@code cycles} and makes the queue forget them. */
  public static long delete(SingleChronicleQueue queue, List<Cycle> cycles) throws IOException {
    long freed = 0;
    for (Cycle cycle : cycles) {
      if (Files.deleteIfExists(cycle.file())) {
        freed += cycle.bytes();
      }
    }
    queue.refreshDirectoryListing();
    return freed;
  }

  /** Bytes of every file under {@code dir}. */
  public static long bytesUnder(Path dir) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (var files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .mapToLong(
              f -> {
                try {
                  return Files.size(f);
                } catch (IOException e) {
                  return 0; // removed meanwhile
                }
              })
          .sum();
    } catch (IOException e) {
      return 0;
    }
  }
}
