package io.kedge.cloud.router;

import io.kedge.kube.objects.SystemNamespaces;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourcePartitioner;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * Which of kube-apiserver's system Namespaces the standalone store lacks. kube-apiserver's own
 * controllers create them where they are missing; in standalone mode the applier of the partition
 * each belongs to checks every {@link #EVERY} and writes the missing ones to {@code
 * kedge.resources}, so they exist shortly after the router first runs and {@code kube-node-lease},
 * the one that may be deleted, comes back.
 */
final class SystemNamespaceKeeper {
  /** How often each partition's applier checks. */
  static final Duration EVERY = Duration.ofSeconds(10);

  private final int partitions;

  /**
   * @param partitions the resources topic's partitions
   */
  SystemNamespaceKeeper(int partitions) {
    this.partitions = partitions;
  }

  /** The system Namespaces of {@code partition} that are missing: {@code held} says which exist. */
  List<ObjectKey> missing(int partition, Predicate<ObjectKey> held) {
    return SystemNamespaces.NAMES.stream()
        .map(SystemNamespaces::key)
        .filter(key -> ResourcePartitioner.partition(key.toString(), partitions) == partition)
        .filter(held.negate())
        .toList();
  }
}
