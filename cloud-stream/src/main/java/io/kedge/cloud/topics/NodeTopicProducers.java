package io.kedge.cloud.topics;

import java.time.Duration;

/** Settings of the producers that write to node topics (the router's, the REST ingress's). */
public final class NodeTopicProducers {
  /**
   * {@code metadata.max.idle.ms} for them. A producer forgets a topic's metadata after 5 minutes
   * without a send (Kafka's default), and its next send to that topic blocks the sending thread
   * until the metadata is fetched again. Most node topics of a large fleet get an event less often
   * than that, so nearly every event would wait a round trip on the router's one stream thread. A
   * day keeps a fleet's topics known (a few hundred bytes each) and still lets removed nodes'
   * topics go.
   */
  public static final long METADATA_MAX_IDLE_MS = Duration.ofDays(1).toMillis();

  private NodeTopicProducers() {}
}
