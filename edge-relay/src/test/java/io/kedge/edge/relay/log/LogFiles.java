package io.kedge.edge.relay.log;

import io.kedge.edge.api.log.EntryLog;
import io.kedge.edge.api.log.LogEntry;
import io.kedge.schemas.ResourceUpsert;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Damages queue files on disk the way a failing disk would, and reads logs back, for tests. */
public final class LogFiles {
  private LogFiles() {}

  /** The names of the upserted objects a reader gets from the start of {@code log}. */
  public static List<String> podNames(EntryLog log) {
    List<String> names = new ArrayList<>();
    try (EntryLog.LogReader reader = log.readAfter(-1)) {
      for (LogEntry entry = reader.next(); entry != null; entry = reader.next()) {
        names.add(((ResourceUpsert) entry.event().data()).key().name());
      }
    }
    return names;
  }

  /**
   * Overwrites every occurrence of {@code marker} in the queue files under {@code dir} with NUL
   * bytes; returns how many were overwritten. The queue must be closed.
   */
  public static int overwrite(Path dir, String marker) throws IOException {
    byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
    int found = 0;
    for (Path file : queueFiles(dir)) {
      byte[] bytes = Files.readAllBytes(file);
      try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
        for (int i = indexOf(bytes, needle, 0); i >= 0; i = indexOf(bytes, needle, i + 1)) {
          out.seek(i);
          out.write(new byte[needle.length]);
          found++;
        }
      }
    }
    return found;
  }

  /** Position of the last occurrence of {@code marker} in {@code file}. */
  public static long lastOffsetOf(Path file, String marker) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
    long last = -1;
    for (int i = indexOf(bytes, needle, 0); i >= 0; i = indexOf(bytes, needle, i + 1)) {
      last = i;
    }
    if (last < 0) {
      throw new IllegalArgumentException(marker + " is not in " + file);
    }
    return last;
  }

  /** Overwrites one byte at {@code position} of {@code file}. */
  public static void overwriteByte(Path file, long position, int value) throws IOException {
    try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
      out.seek(position);
      out.write(value);
    }
  }

  public static List<Path> queueFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".cq4")).sorted().toList();
    }
  }

  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = from; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
