package io.kedge.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.cloud.CloudConfig;
import io.kedge.cloud.manifest.Manifest;
import io.kedge.cloud.manifest.ManifestPublisher;
import io.kedge.cloud.router.Router;
import io.kedge.kafka.local.LocalKafkaCluster;
import io.kedge.runtime.lifecycle.Components;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.ObjectKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The cloud of an edge benchmark: an in-process broker under {@code work}, the router, and a
 * publisher that writes objects to {@code kedge.resources} as {@code kedge apply} does.
 */
final class BenchCloud implements AutoCloseable {
  private static final int BATCH = 500;

  private final Components parts = new Components();
  private final LocalKafkaCluster kafka;
  private final Router router;
  private final ManifestPublisher publisher;

  private BenchCloud(Path work, String prefix) {
    kafka = parts.add(BenchFiles.kafka(work));
    router =
        parts.add(
            Router.start(
                CloudConfig.embedded(
                    kafka.bootstrapServers(), work.resolve("cloud"), prefix, Duration.ofDays(1))));
    publisher =
        parts.add(
            new ManifestPublisher(
                kafka.bootstrapServers(),
                new KedgeTopics(prefix, 1, Duration.ofDays(1)),
                Duration.ofSeconds(60)));
  }

  static BenchCloud start(Path work, String prefix) {
    return new BenchCloud(work, prefix);
  }

  LocalKafkaCluster kafka() {
    return kafka;
  }

  Router router() {
    return router;
  }

  /** Node {@code node} and pods {@code pod-0} to {@code pod-<count-1>} bound to it. */
  void publishNodeWithPods(String node, int count) {
    List<ObjectNode> objects = new ArrayList<>(List.of(BenchObjects.node(node)));
    for (int i = 0; i < count; i++) {
      objects.add(BenchObjects.pod("pod-" + i, node, "v1"));
    }
    publish(objects);
  }

  /** Applies {@code objects}, in transactions of 500. */
  void publish(List<ObjectNode> objects) {
    for (int from = 0; from < objects.size(); from += BATCH) {
      publisher.transact(
          "bench",
          manifests(objects.subList(from, Math.min(objects.size(), from + BATCH))),
          List.of());
    }
  }

  /** Deletes {@code objects}. */
  void delete(List<ObjectNode> objects) {
    publisher.delete(manifests(objects), m -> {});
  }

  private static List<Manifest> manifests(List<ObjectNode> objects) {
    return objects.stream()
        .map(o -> new Manifest(Path.of("bench"), 1, ObjectKey.of(o), o))
        .toList();
  }

  @Override
  public void close() {
    parts.close();
  }
}
