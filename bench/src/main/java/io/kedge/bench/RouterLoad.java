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
import java.util.concurrent.atomic.AtomicInteger;
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

  /**
   * Delays at a steady rate, in milliseconds, from the send to kedge.resources to the read from the
   * node topic; {@code appendP50} and {@code appendP99} are those of the send to the node topic's
   * append (the router's part; the rest is the commit's and the reader's).
   */
  record Delays(int rate, long p50, long p99, int count, long appendP50, long appendP99) {
    static final Delays NONE = new Delays(0, 0, 0, 0, 0, 0);
  }

  /**
   * The broker settings the router benchmarks need: records stamped with the time the broker
   * appended them, which is when the router's write reached the node topic.
   */
  static final Map<String, String> BROKER_CONFIG =
      Map.of("log.message.timestamp.type", "LogAppendTime");

  /** The node topics whose pods {@link #paced} times. */
  static final int SAMPLED = 100;

  /** How long {@link #paced} waits for its pods after the last send. */
  private static final int DRAIN_SECONDS = 30;

  /** The name prefix of the pods {@link #paced} times. */
  private static final String PACED = "paced-";

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
   * Events per second routed from a backlog, and the CPU per event of the router's threads (those
   * named with its application id: its stream threads and their clients) and of the rest of the
   * process (an in-process broker, the benchmark's clients), in microseconds.
   */
  record Backlog(double eventsPerSecond, double routerCpuMicros, double otherCpuMicros) {}

  /**
   * Sends {@code events} pods spread round-robin over nodes {@code node-0..nodes-1} as a backlog
   * and waits until router group {@code group} (its application id) has routed them all.
   */
  Backlog routeBacklog(
      KafkaProducer<String, byte[]> producer,
      Admin admin,
      String group,
      int nodes,
      int events,
      String what)
      throws Exception {
    ThreadCpu cpuFromStart = ThreadCpu.start(group);
    long start = System.nanoTime();
    for (int i = 0; i < events; i++) {
      producer.send(record(BenchObjects.pod("pod-" + i, "node-" + (i % nodes), "v1")));
    }
    producer.flush();
    awaitRouted(admin, group, what + ": " + events + " pods");
    double seconds = (System.nanoTime() - start) / 1e9;
    ThreadCpu.Split cpu = cpuFromStart.sinceStart();
    Backlog backlog =
        new Backlog(
            events / seconds, cpu.markedNanos() / 1e3 / events, cpu.otherNanos() / 1e3 / events);
    progress(
        "%s: %.0f events/s; CPU per event: the router's threads %.1f µs, the rest of the process"
            + " %.1f µs",
        what, backlog.eventsPerSecond(), backlog.routerCpuMicros(), backlog.otherCpuMicros());
    return backlog;
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
   * node-<i>}, while read-committed readers of a sample of {@link #SAMPLED} node topics (every
   * node's topic in a fleet as small) time their arrival from the send, each as a relay reads its
   * topic ({@link NodeTopicReaders}). The broker stamps node topics' records with their append time
   * ({@link #BROKER_CONFIG}), which splits each delay into the router's part (send to append) and
   * the commit's and the reader's.
   */
  Delays paced(KafkaProducer<String, byte[]> producer, int nodes, int rate, int seconds)
      throws Exception {
    int total = rate * seconds;
    long[] sentAt = new long[total];
    long[] appended = new long[total];
    long[] read = new long[total];
    AtomicInteger arrived = new AtomicInteger();
    SlowSeconds slow = new SlowSeconds(Duration.ofSeconds(1));
    List<String> nodeTopics = new ArrayList<>();
    int every = Math.max(1, nodes / SAMPLED);
    for (int n = 0; n < nodes; n += every) {
      nodeTopics.add(topics.node("node-" + n).name());
    }
    int expected = 0;
    for (int i = 0; i < total; i++) {
      expected += (i % nodes) % every == 0 ? 1 : 0;
    }
    NodeTopicReaders.Arrivals timing =
        (record, readAt) -> {
          String key = record.key();
          int at = key == null ? -1 : key.lastIndexOf('/' + PACED);
          if (at < 0) {
            return; // not a timed pod: a resync's marker, another object
          }
          int i = Integer.parseInt(key.substring(at + 1 + PACED.length()));
          appended[i] = record.timestamp();
          read[i] = readAt; // read below, after the readers' threads have ended
          arrived.incrementAndGet();
        };
    try (NodeTopicReaders readers =
        NodeTopicReaders.start(kafka, nodeTopics, Duration.ofSeconds(5), timing)) {
      long begin = System.nanoTime();
      long deadline = begin + TimeUnit.SECONDS.toNanos(seconds + DRAIN_SECONDS);
      int sent = 0;
      while (arrived.get() < expected && System.nanoTime() < deadline) {
        long due = Math.min(total, (System.nanoTime() - begin) * rate / 1_000_000_000L);
        while (sent < due) {
          sentAt[sent] = System.currentTimeMillis();
          producer.send(record(BenchObjects.pod(PACED + sent, "node-" + (sent % nodes), "v1")));
          sent++;
        }
        readers.throwIfFailed();
        TimeUnit.MILLISECONDS.sleep(1);
      }
    }
    int count = arrived.get();
    if (count < expected) {
      progress(
          "paced: %d of %d timed pods not read within %d s of the last send",
          expected - count, expected, DRAIN_SECONDS);
    }
    slow.startedAt(sentAt[0]);
    long[] delays = new long[count];
    long[] routed = new long[count];
    int k = 0;
    for (int i = 0; i < total && k < count; i++) {
      if (read[i] != 0) {
        delays[k] = read[i] - sentAt[i];
        routed[k] = appended[i] - sentAt[i];
        slow.add(
            TimeUnit.MILLISECONDS.toNanos(sentAt[i] - sentAt[0]),
            TimeUnit.MILLISECONDS.toNanos(delays[k]));
        k++;
      }
    }
    slow.report("paced").ifPresent(report -> progress("%s", report));
    return new Delays(
        rate,
        BenchStats.percentile(delays, 50),
        BenchStats.percentile(delays, 99),
        count,
        BenchStats.percentile(routed, 50),
        BenchStats.percentile(routed, 99));
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
