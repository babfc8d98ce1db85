package io.kedge.bench;

import io.kedge.kafka.local.LocalKafkaCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** Scratch directories of benchmarks, and the Kafka broker they hold. */
final class BenchFiles {
  private BenchFiles() {}

  /** A started in-process Kafka broker keeping its data under {@code work/kafka}. */
  static LocalKafkaCluster kafka(Path work) {
    return kafka(work, Map.of());
  }

  /** The same, with broker settings of its own. */
  static LocalKafkaCluster kafka(Path work, Map<String, String> brokerConfig) {
    LocalKafkaCluster.Builder builder = LocalKafkaCluster.builder().dataDir(work.resolve("kafka"));
    brokerConfig.forEach(builder::config);
    LocalKafkaCluster kafka = builder.build();
    try {
      return kafka.start(Duration.ofSeconds(60));
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
  }

  /** Deletes {@code dir} and everything under it; a benchmark's scratch data is not kept. */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
