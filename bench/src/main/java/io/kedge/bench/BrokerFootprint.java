package io.kedge.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a node topic costs a broker, read off the benchmark's own process (which hosts the broker):
 * open files, memory maps, and the bytes of KRaft metadata log. Taken before and after a fleet
 * joins, the difference over the fleet's node topics is the cost of one, the base of the sizing for
 * larger fleets (docs/scale.md).
 */
record BrokerFootprint(long openFiles, long memoryMaps, long metadataBytes) {

  /** Now, with the metadata logs of {@code logDirs}. */
  static BrokerFootprint now(List<Path> logDirs) throws IOException {
    long metadata = 0;
    for (Path logDir : logDirs) {
      Path dir = logDir.resolve("__cluster_metadata-0");
      if (Files.isDirectory(dir)) {
        try (Stream<Path> files = Files.list(dir)) {
          for (Path file : (Iterable<Path>) files::iterator) {
            if (file.getFileName().toString().endsWith(".log")) {
              metadata += Files.size(file);
            }
          }
        }
      }
    }
    return new BrokerFootprint(
        count(Path.of("/proc/self/fd")), lines(Path.of("/proc/self/maps")), metadata);
  }

  /** Per node topic: this footprint less {@code before}, over {@code topics}. */
  String perTopic(BrokerFootprint before, int topics) {
    return String.format(
        "per node topic: %.2f open files, %.2f memory maps, %.0f bytes of KRaft metadata log",
        (openFiles - before.openFiles) / (double) topics,
        (memoryMaps - before.memoryMaps) / (double) topics,
        (metadataBytes - before.metadataBytes) / (double) topics);
  }

  private static long count(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.count();
    }
  }

  private static long lines(Path file) throws IOException {
    try (Stream<String> lines = Files.lines(file)) {
      return lines.count();
    }
  }
}
