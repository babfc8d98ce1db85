package io.kedge.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.kafka.local.LocalKafkaCluster;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourcePartitioner;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.schemas.ResyncEnd;
import io.kedge.schemas.ResyncParts;
import io.kedge.schemas.ResyncRequest;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the router benchmarks do to a router: publish objects to kedge.resources as a source does,
 * wait until the router has routed them, and time pods from kedge.resources to a read-committed
 * reader of the node topics at a steady rate.
 */
final class RouterLoad {
  private static final URI SOURCE = URI.create("/kedge/bench");

  private final LocalKafkaCluster kafka;
  private final KedgeTopics topics;
  private final PrintWriter out;
  private final String name;
  private final EventCodec codec = new EventCodec();

  RouterLoad(LocalKafkaCluster kafka, KedgeTopics topics, PrintWriter out, String name) {
    this.kafka = kafka;
    this.topics = topics;
    this.out = out;
    this.name = name;
  }

  /** Delays at a steady rate, in milliseconds. */
  record Delays(int rate, long p50, long p99, int count) {}

  ProducerRecord<String, byte[]> record(ObjectNode object) {
    ObjectKey key = ObjectKey.of(object);
    return codec.toRecord(
        topics.resources().name(),
        key.toString(),
        KedgeEvent.of(SOURCE, key.toString(), new ResourceUpsert(key, "", object)));
  }

  /** A producer placing records as every producer to kedge.resources does. */
  KafkaProducer<String, byte[]> producer() {
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    props.putAll(ResourcePartitioner.producerSettings(topics.resources().name()));
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  /**
   * Sends {@code events} pods spread round-robin over nodes {@code node-0..nodes-1} as a backlog
   * and waits until router group {@code group} has routed them all; returns events per second.
   */
  double routeBacklog(
      KafkaProducer<String, byte[]> producer,
      Admin admin,
      String group,
      int nodes,
      int events,
      String what)
      throws Exception {
    long start = System.nanoTime();
    for (int i = 0; i < events; i++) {
      producer.send(record(BenchObjects.pod("pod-" + i, "node-" + (i % nodes), "v1")));
    }
    producer.flush();
    awaitRouted(admin, group, what + ": " + events + " pods");
    return events / ((System.nanoTime() - start) / 1e9);
  }

  /** Waits until router group {@code group} has committed every record of kedge.resources. */
  void awaitRouted(Admin admin, String group, String what) throws Exception {
    String resources = topics.resources().name();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (var partition :
        admin
            .describeTopics(List.of(resources))
            .allTopicNames()
            .get()
            .get(resources)
            .partitions()) {
      latest.put(new TopicPartition(resources, partition.partition()), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
    long total = ends.values().stream().mapToLong(Long::longValue).sum();
    long lastReport = System.nanoTime();
    while (true) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      long behind = 0;
      for (var end : ends.entrySet()) {
        OffsetAndMetadata at = committed.get(end.getKey());
        behind += Math.max(0, end.getValue() - (at == null ? 0 : at.offset()));
      }
      if (behind == 0) {
        return;
      }
      if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(5)) {
        progress("%s: %d/%d records routed", what, total - behind, total);
        lastReport = System.nanoTime();
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  /**
   * Sends pods at {@code rate} per second for {@code seconds} over {@code nodes} nodes named {@code
   * node-<i>}, while a read-committed reader of every node topic times their arrival.
   */
  Delays paced(KafkaProducer<String, byte[]> producer, int nodes, int rate, int seconds)
      throws Exception {
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<Long> delays = new ArrayList<>();
    SlowSeconds slow = new SlowSeconds(Duration.ofSeconds(1));
    try (KafkaConsumer<String, byte[]> reader =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      // assigned, not subscribed by pattern: a pattern's consumer fetches the metadata of every
      // topic over and over, a cost of the reader that grows with the fleet it measures
      List<TopicPartition> nodeTopics = new ArrayList<>();
      for (int n = 0; n < nodes; n++) {
        nodeTopics.add(new TopicPartition(topics.node("node-" + n).name(), 0));
      }
      reader.assign(nodeTopics);
      reader.seekToEnd(nodeTopics);
      nodeTopics.forEach(reader::position);
      // its first fetches over thousands of partitions are slow (fetch session, JIT): not timed
      long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (System.nanoTime() < warm) {
        reader.poll(Duration.ofMillis(100));
      }
      int total = rate * seconds;
      long begin = System.nanoTime();
      long beginMillis = System.currentTimeMillis();
      slow.startedAt(beginMillis);
      int sent = 0;
      while (delays.size() < total
          && System.nanoTime() - begin < TimeUnit.SECONDS.toNanos(seconds + 30)) {
        long due = (System.nanoTime() - begin) * rate / 1_000_000_000L;
        while (sent < Math.min(due, total)) {
          producer.send(record(BenchObjects.pod("paced-" + sent, "node-" + (sent % nodes), "v1")));
          sent++;
        }
        for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(5))) {
          long delay = System.currentTimeMillis() - r.timestamp();
          delays.add(delay);
          slow.add(
              TimeUnit.MILLISECONDS.toNanos(r.timestamp() - beginMillis),
              TimeUnit.MILLISECONDS.toNanos(delay));
        }
      }
    }
    slow.report("paced").ifPresent(report -> progress("%s", report));
    long[] values = delays.stream().mapToLong(Long::longValue).toArray();
    return new Delays(
        rate, BenchStats.percentile(values, 50), BenchStats.percentile(values, 99), values.length);
  }

  /**
   * Waits until every node {@code node-<i>} of {@code nodes} has its pod {@code first-<i>} in its
   * topic, read committed: each node has joined, topic made and first pod delivered.
   */
  void awaitFirstPods(Admin admin, int nodes) throws Exception {
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    java.util.Set<String> waiting = new java.util.HashSet<>();
    for (int n = 0; n < nodes; n++) {
      waiting.add(topics.node("node-" + n).name());
    }
    java.util.Set<TopicPartition> assigned = new java.util.HashSet<>();
    long lastReport = System.nanoTime();
    long lastList = 0;
    try (KafkaConsumer<String, byte[]> reader =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      while (!waiting.isEmpty()) {
        if (System.nanoTime() - lastList > TimeUnit.MILLISECONDS.toNanos(500)) {
          lastList = System.nanoTime();
          int before = assigned.size();
          for (String topic : admin.listTopics().names().get()) {
            if (waiting.contains(topic)) {
              assigned.add(new TopicPartition(topic, 0)); // only topics that exist: no warnings
            }
          }
          if (assigned.size() > before) {
            List<TopicPartition> now = List.copyOf(assigned);
            reader.assign(now);
          }
        }
        if (assigned.isEmpty()) {
          TimeUnit.MILLISECONDS.sleep(100);
          continue;
        }
        for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(100))) {
          if (codec.decode(r.headers(), r.value()).data() instanceof ResourceUpsert upsert
              && upsert.key().name().startsWith("first-")) {
            waiting.remove(r.topic());
            TopicPartition done = new TopicPartition(r.topic(), 0);
            assigned.remove(done);
          }
        }
        if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(5)) {
          progress("%s: %d/%d nodes have their first pod", name, nodes - waiting.size(), nodes);
          lastReport = System.nanoTime();
        }
      }
    }
  }

  /**
   * How long a node's resync took, how many objects its snapshot held, and how many store records
   * the router read to answer it.
   */
  record Resync(long millis, long objects, long storeReads) {}

  /**
   * Asks for {@code node}'s resync as its relay would (through the upstream topic) and waits for
   * every part of the snapshot to end, read committed from the node's topic.
   */
  Resync resync(KafkaProducer<String, byte[]> producer, String node, LongSupplier storeReads)
      throws Exception {
    Map<String, Object> props = new HashMap<>(kafka.clientConfig());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    TopicPartition partition = new TopicPartition(topics.node(node).name(), 0);
    try (KafkaConsumer<String, byte[]> reader =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      reader.assign(List.of(partition));
      reader.seekToEnd(List.of(partition));
      reader.position(partition);
      String id = node + "-bench-resync-" + System.nanoTime();
      long readsBefore = storeReads.getAsLong();
      long start = System.nanoTime();
      producer
          .send(
              codec.toRecord(
                  topics.upstream().name(),
                  node,
                  KedgeEvent.of(SOURCE, id, new ResyncRequest(node, id, "bench"))))
          .get();
      ResyncParts parts = new ResyncParts(id);
      long objects = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(20))) {
          if (codec.decode(record.headers(), record.value()).data() instanceof ResyncEnd end
              && end.requestId().equals(id)) {
            objects += end.objectCount();
            if (parts.ended(end)) {
              return new Resync(
                  (System.nanoTime() - start) / 1_000_000,
                  objects,
                  storeReads.getAsLong() - readsBefore);
            }
          }
        }
      }
      throw new IllegalStateException("no snapshot for " + node + " within 60 s");
    }
  }

  void progress(String format, Object... args) {
    out.printf("bench " + name + ": " + format + "%n", args);
    out.flush();
  }
}
