package io.kedge.cloud.router;

import io.kedge.cloud.CloudConfig;
import io.kedge.cloud.kube.KubeWrites;
import io.kedge.cloud.nodes.NodeKeyGenerations;
import io.kedge.cloud.topics.NodeTopicProducers;
import io.kedge.cloud.topics.TopicProvisioner;
import io.kedge.schemas.KedgeTopics;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running ROUTER: the topology on Kafka Streams with {@code exactly_once_v2}. Several instances
 * with the same application id share the work and take over each other's tasks.
 */
public final class Router implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Router.class);

  /** How often the router commits its transaction; each commit flushes what its producers hold. */
  static final int COMMIT_INTERVAL_MS = 100;

  /** How long the router's producers let a batch wait: longer than {@link #COMMIT_INTERVAL_MS}. */
  static final int PRODUCER_LINGER_MS = 10 * COMMIT_INTERVAL_MS;

  /** How the router's producers compress their batches (node topics and changelogs). */
  static final String PRODUCER_COMPRESSION = "snappy";

  private final KafkaStreams streams;
  private final Admin admin;
  private final RouterClients clients;
  private final AdminNodeTopics nodeTopics;
  private final UpstreamRejections rejections;
  private NodeKeyGenerations keyGenerations; // when this router follows them itself

  private Router(
      KafkaStreams streams,
      Admin admin,
      RouterClients clients,
      AdminNodeTopics nodeTopics,
      UpstreamRejections rejections) {
    this.streams = streams;
    this.admin = admin;
    this.clients = clients;
    this.nodeTopics = nodeTopics;
    this.rejections = rejections;
  }

  /** Upstream events refused: unsigned, forged or not the node's to make. */
  public UpstreamRejections rejections() {
    return rejections;
  }

  /** Creates the kedge topics if missing, then starts routing. */
  public static Router start(CloudConfig config) {
    return start(config, null);
  }

  /**
   * Creates the kedge topics if missing, then starts routing; edge writes go to {@code kubernetes},
   * or to kedge.resources if it is null (standalone).
   */
  public static Router start(CloudConfig config, KubeWrites kubernetes) {
    return start(config, kubernetes, StreamsConfig.EXACTLY_ONCE_V2);
  }

  /**
   * The same under {@code processingGuarantee}: kedge runs {@code exactly_once_v2}; benchmarks
   * compare it with {@code at_least_once}.
   */
  public static Router start(
      CloudConfig config, KubeWrites kubernetes, String processingGuarantee) {
    if (config.nodeKeySecret() == null) {
      return start(
          config, kubernetes, processingGuarantee, NodeTrust.of(null, config.nodeWrites()));
    }
    NodeKeyGenerations generations = NodeKeyGenerations.follow(config);
    try {
      Router router =
          start(
              config,
              kubernetes,
              processingGuarantee,
              NodeTrust.of(config.nodeKeySecret(), generations, config.nodeWrites()));
      router.keyGenerations = generations;
      return router;
    } catch (RuntimeException e) {
      generations.close();
      throw e;
    }
  }

  /** The same, trusting nodes as far as {@code trust} says. */
  public static Router start(
      CloudConfig config, KubeWrites kubernetes, String processingGuarantee, NodeTrust trust) {
    KedgeTopics topics = config.topics();
    Admin admin = Admin.create(config.kafkaClientConfig());
    try {
      TopicProvisioner provisioner =
          new TopicProvisioner(admin, Optional.empty(), Duration.ofSeconds(30));
      provisioner.ensure(List.of(topics.resources(), topics.upstream(), topics.deadletter()));
      int partitions = resourcePartitions(provisioner, topics);
      RouterClients clients = new RouterClients(() -> nodeTopicNames(admin, topics));
      AdminNodeTopics nodeTopics =
          new AdminNodeTopics(
              admin, topics, provisioner, config.deleteNodeTopics(), clients::learn);
      KafkaStreams streams =
          new KafkaStreams(
              RouterTopology.build(
                  topics, config.broadcastKinds(), nodeTopics, kubernetes, trust, partitions, true),
              streamsConfig(config, processingGuarantee),
              clients);
      streams.setStateListener((next, previous) -> LOG.info("router {} -> {}", previous, next));
      streams.setUncaughtExceptionHandler(
          e -> {
            LOG.error("router stream thread failed; replacing it", e);
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler
                .StreamThreadExceptionResponse.REPLACE_THREAD;
          });
      streams.start();
      return new Router(streams, admin, clients, nodeTopics, trust.rejections());
    } catch (RuntimeException e) {
      admin.close();
      throw e;
    }
  }

  /**
   * The partitions of the resources topic as it is (an existing topic keeps its count), after
   * making the router's own topics alike.
   *
   * @throws IllegalStateException when a router topic exists with another count
   */
  private static int resourcePartitions(TopicProvisioner provisioner, KedgeTopics topics) {
    String resources = topics.resources().name();
    int partitions = provisioner.partitions(resources);
    int asked = topics.resources().policy().partitions();
    if (partitions != asked) {
      LOG.warn(
          "{} has {} partitions, not the {} of topics.resource-partitions: routing over {}"
              + " (docs/scale.md says how to repartition)",
          resources,
          partitions,
          asked,
          partitions);
    }
    var internal = RouterTopology.internalTopics(topics, partitions);
    provisioner.ensure(internal);
    for (var topic : internal) {
      int actual = provisioner.partitions(topic.name());
      if (actual != partitions) {
        throw new IllegalStateException(
            topic.name()
                + " has "
                + actual
                + " partitions but "
                + resources
                + " has "
                + partitions
                + ": the router needs them alike (docs/scale.md, repartitioning)");
      }
    }
    LOG.info("routing {} over {} partitions", resources, partitions);
    return partitions;
  }

  private static Properties streamsConfig(CloudConfig config, String processingGuarantee) {
    Properties props = new Properties();
    props.putAll(config.kafkaClientConfig());
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee);
    props.put(StreamsConfig.STATE_DIR_CONFIG, config.dataDir().resolve("streams").toString());
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS);
    // as Kafka Streams 5 will (the router has no global stores; without it every start warns)
    props.put(RouterTopology.GLOBAL_PROCESSING_HANDLER, true);
    // the partition assignor reads a StreamsConfig of its own from the main consumer's settings
    props.put(StreamsConfig.mainConsumerPrefix(RouterTopology.GLOBAL_PROCESSING_HANDLER), true);
    // a task reads four topics (resources, upstream, requests, fanout), most of them empty at any
    // moment. With Kafka Streams' default (0) a task checks every empty input's lag before each
    // record and formats a log message about it whether or not it is logged: about a tenth of the
    // stream thread's time. The router does not order the records of different topics by their
    // timestamps (what arrives for a node before the node is known waits for it; decision record
    // 0005), so a task processes what it has buffered at once.
    props.putIfAbsent(
        StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
    // with several instances, each keeps a warm copy of another's stores: a task that moves after
    // a crash resumes at once instead of replaying its changelog (kafka-client properties may
    // say otherwise)
    props.putIfAbsent(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
    // an instance killed outright is noticed after the session timeout, and its tasks move then:
    // 10 s instead of Kafka's 45 s (heartbeats come every 3 s from their own thread)
    props.putIfAbsent(
        StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
    // the router's producers hold a stream thread's sends and hand them over at each commit
    // (RouterClients, BurstingProducer); a linger longer than the commit interval lets the
    // commit's flush send them as a few large produce requests instead of one per pass of the
    // sender thread, which walks every node topic written to (decision record 0008)
    props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), PRODUCER_LINGER_MS);
    // a producer's request carries at most one batch of each partition, so a changelog's
    // records of one commit (hundreds of KiB) took a request per 16 KiB batch, each request a
    // pass of the sender over every node topic; compressed, they fit in a few (10,000 node
    // topics: 1,754 -> 3,948 events/s, decision record 0008). Node topics' records travel the
    // edge links compressed too.
    props.put(
        StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), PRODUCER_COMPRESSION);
    // node topics an event reaches rarely keep their metadata (see NodeTopicProducers)
    NodeTopicProducers.settings()
        .forEach((key, value) -> props.putIfAbsent(StreamsConfig.producerPrefix(key), value));
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    return props;
  }

  /** Store records this instance read to answer resyncs, over its stream threads. */
  public long resyncStoreReads() {
    return ResyncAnswer.reads(streams.metrics());
  }

  /** The Kafka Streams instance, for its metrics. */
  public KafkaStreams streams() {
    return streams;
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  public boolean running() {
    return streams.state() == KafkaStreams.State.RUNNING;
  }

  @Override
  public void close() {
    // leaving the group hands this instance's partitions to the others at once, instead of after
    // the session timeout
    streams.close(
        org.apache.kafka.streams.CloseOptions.timeout(Duration.ofSeconds(30))
            .withGroupMembershipOperation(
                org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    nodeTopics.close();
    clients.close();
    admin.close();
    if (keyGenerations != null) {
      keyGenerations.close();
    }
  }

  /** The node topics of this installation that exist now. */
  private static Collection<String> nodeTopicNames(Admin admin, KedgeTopics topics) {
    try {
      return admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
          .filter(topics::isNodeTopic)
          .toList();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted listing the node topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot list the node topics: " + e, e);
    }
  }
}
