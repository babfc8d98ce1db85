package io.kedge.cloud.router;

import io.kedge.kube.objects.SystemNamespaces;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourcePartitioner;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Which of kube-apiserver's system Namespaces the standalone store lacks. kube-apiserver's own
 * controllers create them where they are missing; in standalone mode the applier of the partition
 * each belongs to checks every {@link #EVERY} and writes the missing ones to {@code
 * kedge.resources}, so they exist shortly after the router first runs and {@code kube-node-lease},
 * the one that may be deleted, comes back. The check reads the router's store: a Namespace another
 * source wrote that the router has not read yet (a router more than {@link #EVERY} behind on its
 * first start) is replaced by the one it writes.
 */
final class SystemNamespaceKeeper {
  /** How often each partition's applier checks. */
  static final Duration EVERY = Duration.ofSeconds(10);

  /** The system Namespaces by the partition they belong to. */
  private final Map<Integer, List<ObjectKey>> byPartition;

  /**
   * @param partitions the resources topic's partitions
   */
  SystemNamespaceKeeper(int partitions) {
    this.byPartition =
        SystemNamespaces.NAMES.stream()
            .map(SystemNamespaces::key)
            .collect(
                Collectors.groupingBy(
                    key -> ResourcePartitioner.partition(key.toString(), partitions)));
  }

  /** The system Namespaces of {@code partition} that are missing: {@code held} says which exist. */
  List<ObjectKey> missing(int partition, Predicate<ObjectKey> held) {
    return byPartition.getOrDefault(partition, List.of()).stream().filter(held.negate()).toList();
  }
}
