package io.kedge.cloud.rules;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which topics exist in the cloud cluster, refreshed at most every second: a kafka target that
 * names a missing topic must fail that message, not block the producer (and a transaction) for its
 * metadata timeout.
 */
final class KnownTopics {
  private static final Logger LOG = LoggerFactory.getLogger(KnownTopics.class);
  private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Admin admin;
  private volatile Set<String> names = Set.of();
  private volatile long refreshedAt = Long.MIN_VALUE;

  KnownTopics(Admin admin) {
    this.admin = admin;
  }

  boolean exists(String topic) {
    if (names.contains(topic)) {
      return true;
    }
    refresh();
    return names.contains(topic);
  }

  private synchronized void refresh() {
    if (refreshedAt != Long.MIN_VALUE && System.nanoTime() - refreshedAt < REFRESH_NANOS) {
      return;
    }
    try {
      names = admin.listTopics().names().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("cannot list the cluster's topics: {}", e.toString());
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
    refreshedAt = System.nanoTime();
  }
}
