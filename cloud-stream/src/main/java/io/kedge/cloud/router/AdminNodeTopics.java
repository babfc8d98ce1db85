package io.kedge.cloud.router;

import io.kedge.cloud.topics.TopicProvisioner;
import io.kedge.schemas.KedgeTopics;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Node topics through the Kafka AdminClient, with the node retention configured. */
public final class AdminNodeTopics implements NodeTopics {
  private static final Logger LOG = LoggerFactory.getLogger(AdminNodeTopics.class);

  private final Admin admin;
  private final KedgeTopics topics;
  private final TopicProvisioner provisioner;
  private final boolean deleteOnRelease;

  public AdminNodeTopics(
      Admin admin, KedgeTopics topics, TopicProvisioner provisioner, boolean deleteOnRelease) {
    this.admin = admin;
    this.topics = topics;
    this.provisioner = provisioner;
    this.deleteOnRelease = deleteOnRelease;
  }

  @Override
  public void ensure(String node) {
    provisioner.ensure(topics.node(node));
  }

  @Override
  public CompletableFuture<Void> ensureAsync(String node) {
    return provisioner.ensureAsync(topics.node(node));
  }

  @Override
  public void released(String node) {
    if (!deleteOnRelease) {
      return;
    }
    String topic = topics.node(node).name();
    try {
      admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
      LOG.info("deleted topic {} of removed node {}", topic, node);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("cannot delete topic {} of removed node {}: {}", topic, node, e.toString());
    }
  }
}
