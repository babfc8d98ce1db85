package io.kedge.cloud.router;

import io.kedge.cloud.topics.ResourcesSnapshot;
import io.kedge.cloud.topics.TopicProvisioner;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.EventType;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.ResourcePartitioner;
import io.kedge.schemas.ResourceUpsert;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Moves a stopped cloud's {@code kedge.resources} to another number of partitions without edge
 * nodes seeing a change: every object is written again with the resourceVersion, uid and creation
 * time the router gave it (read from the router's own store), so the router that starts next routes
 * each as the version the nodes hold, and the nodes that wrote an object through their edge API
 * keep it (each written record names them). The router's topics and stores start over; its offsets
 * in the upstream topic stay, so no edge write is applied twice.
 */
public final class Repartition implements AutoCloseable {
  private static final URI SOURCE = URI.create("/kedge/repartition");

  /** Objects per transaction: well within a transaction's timeout at any fleet size. */
  private static final int TRANSACTION_SIZE = 10_000;

  private final Admin admin;
  private final TopicProvisioner provisioner;
  private final Map<String, Object> kafka;
  private final KedgeTopics topics;
  private final String applicationId;
  private final Duration timeout;
  private final Consumer<String> progress;

  /**
   * @param kafka settings of every Kafka client (servers and security)
   * @param applicationId the router's Kafka Streams application id
   * @param progress told each step as it starts
   */
  public Repartition(
      Map<String, Object> kafka,
      KedgeTopics topics,
      String applicationId,
      Duration timeout,
      Consumer<String> progress) {
    this.kafka = Map.copyOf(kafka);
    this.admin = Admin.create(this.kafka);
    this.provisioner = new TopicProvisioner(admin, java.util.Optional.empty(), timeout);
    this.topics = topics;
    this.applicationId = applicationId;
    this.timeout = timeout;
    this.progress = progress;
  }

  /** What a repartition did. */
  public record Result(int from, int to, int objects, Path backup) {}

  /**
   * Repartitions to {@code partitions}, first writing every object to {@code backup} (JSON lines).
   *
   * @throws IllegalStateException when a router still runs or has not routed everything, naming
   *     what to do; nothing is changed then
   */
  public Result run(int partitions, Path backup) throws InterruptedException {
    String resources = topics.resources().name();
    int from = provisioner.partitions(resources);
    if (from == partitions) {
      return new Result(from, partitions, 0, null);
    }
    progress.accept("checking that no router runs and every record was routed");
    boolean routed = checkStoppedAndCaughtUp();
    progress.accept("reading the objects as the router stores them");
    Map<String, ResourceUpsert> objects = routed ? routedObjects() : publishedObjects();
    Map<String, String> writers = routed ? writers() : Map.of();
    progress.accept("writing " + objects.size() + " objects to " + backup);
    writeBackup(objects, backup);
    writeWriters(writers, writersFile(backup));
    try {
      rebuild(partitions, objects, writers);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "repartitioning stopped after the backup was written: "
              + e.getMessage()
              + ". Every object is in "
              + backup
              + "; finish with kedge repartition --partitions "
              + partitions
              + " --from-backup "
              + backup,
          e);
    }
    return new Result(from, partitions, objects.size(), backup);
  }

  /**
   * Finishes a repartition that stopped after writing {@code backup}: the router's topics are made
   * anew with {@code partitions} partitions and every object of the backup written to them.
   */
  public Result resume(int partitions, Path backup) throws InterruptedException {
    Map<String, ResourceUpsert> objects = readBackup(backup);
    rebuild(partitions, objects, readWriters(writersFile(backup)));
    return new Result(-1, partitions, objects.size(), backup);
  }

  private void rebuild(
      int partitions, Map<String, ResourceUpsert> objects, Map<String, String> writers)
      throws InterruptedException {
    progress.accept("deleting " + topics.resources().name() + " and the router's topics");
    deleteOffsets(); // while the topics exist: Kafka refuses offsets of unknown partitions
    deleteTopics(routerTopics());
    progress.accept(
        "creating " + topics.resources().name() + " with " + partitions + " partitions");
    KedgeTopics target =
        new KedgeTopics(
            topics.prefix(),
            topics.upstream().policy().partitions(),
            topics.upstream().policy().retention(),
            partitions);
    createAnew(target);
    progress.accept("writing " + objects.size() + " objects back");
    publish(objects.values(), writers);
  }

  /** Beside the backup: each written object's id and the nodes that wrote it. */
  static Path writersFile(Path backup) {
    return backup.resolveSibling(backup.getFileName() + ".writers");
  }

  private static void writeWriters(Map<String, String> writers, Path file) {
    writeLines(
        file,
        writers.entrySet().stream()
            .map(e -> e.getKey() + "\t" + e.getValue().replace('\n', ','))
            .toList());
  }

  /** The writers kept beside a backup; none when the file is missing (an older backup). */
  private static Map<String, String> readWriters(Path file) {
    Map<String, String> writers = new TreeMap<>();
    if (!Files.exists(file)) {
      return writers;
    }
    for (String line : readLines(file)) {
      int tab = line.indexOf('\t');
      if (tab <= 0) {
        throw new IllegalArgumentException(
            file + ": a line must be an object id, a tab and its writer nodes: " + line);
      }
      writers.put(line.substring(0, tab), line.substring(tab + 1).replace(',', '\n'));
    }
    return writers;
  }

  /** The lines of {@code file} that are not blank. */
  private static List<String> readLines(Path file) {
    try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
      return lines.filter(line -> !line.isBlank()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e, e);
    }
  }

  /** Writes {@code lines} to {@code file}, which must not exist yet. */
  private static void writeLines(Path file, List<String> lines) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      try (Writer out =
          Files.newBufferedWriter(
              file,
              StandardCharsets.UTF_8,
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE)) {
        for (String line : lines) {
          out.write(line);
          out.write('\n');
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e, e);
    }
  }

  private static Map<String, ResourceUpsert> readBackup(Path backup) {
    EventCodec codec = new EventCodec();
    Map<String, ResourceUpsert> objects = new TreeMap<>();
    for (String line : readLines(backup)) {
      ResourceUpsert upsert =
          (ResourceUpsert)
              codec.decodeData(EventType.RESOURCE_UPSERT, line.getBytes(StandardCharsets.UTF_8));
      objects.put(Placement.identity(upsert.key()), upsert);
    }
    return objects;
  }

  /** True when the router ever ran (its store holds the routed objects). */
  private boolean checkStoppedAndCaughtUp() throws InterruptedException {
    ConsumerGroupDescription group;
    try {
      group =
          admin
              .describeConsumerGroups(List.of(applicationId))
              .describedGroups()
              .get(applicationId)
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return false;
      }
      throw new IllegalStateException(
          "cannot describe the router group " + applicationId + ": " + e.getCause().getMessage());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Kafka did not describe " + applicationId + " in time");
    }
    if (!group.members().isEmpty()) {
      throw new IllegalStateException(
          "the router group "
              + applicationId
              + " has "
              + group.members().size()
              + " running member(s): stop every kedge cloud first; nothing was changed");
    }
    Map<TopicPartition, OffsetAndMetadata> committed;
    try {
      committed =
          admin
              .listConsumerGroupOffsets(applicationId)
              .partitionsToOffsetAndMetadata()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot read the offsets of " + applicationId, e);
    }
    Set<String> routerInputs =
        Set.of(
            topics.resources().name(),
            RouterTopology.requestsTopic(topics),
            RouterTopology.fanoutTopic(topics));
    Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
    for (String topic : routerInputs) {
      if (exists(topic)) {
        for (int p = 0; p < provisioner.partitions(topic); p++) {
          ends.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
      }
    }
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> latest;
    try {
      latest =
          admin
              .listOffsets(
                  ends,
                  new org.apache.kafka.clients.admin.ListOffsetsOptions(
                      IsolationLevel.READ_COMMITTED))
              .all()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot read the end offsets of the router's inputs", e);
    }
    long behind = 0;
    for (var end : latest.entrySet()) {
      OffsetAndMetadata at = committed.get(end.getKey());
      behind += Math.max(0, end.getValue().offset() - (at == null ? 0 : at.offset()));
    }
    if (behind > 0) {
      throw new IllegalStateException(
          "the router has "
              + behind
              + " records of its inputs still to route: start kedge cloud until its lag is 0,"
              + " stop it, and run this again; nothing was changed");
    }
    return true;
  }

  private boolean exists(String topic) throws InterruptedException {
    try {
      return admin
          .listTopics()
          .names()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .contains(topic);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot list topics", e);
    }
  }

  /** The objects as the router last routed them, from its store's changelog. */
  private Map<String, ResourceUpsert> routedObjects() {
    EventCodec codec = new EventCodec();
    Map<String, ResourceUpsert> objects = new TreeMap<>();
    changelog(RouteProcessor.OBJECTS, true)
        .forEach(
            (id, value) ->
                objects.put(
                    id, (ResourceUpsert) codec.decodeData(EventType.RESOURCE_UPSERT, value)));
    return objects;
  }

  /**
   * The nodes that wrote each object, from the router's store; none from a router that kept no such
   * store.
   */
  private Map<String, String> writers() {
    Map<String, String> writers = new TreeMap<>();
    changelog(RouteProcessor.WRITERS, false)
        .forEach((id, value) -> writers.put(id, new String(value, StandardCharsets.UTF_8)));
    return writers;
  }

  /**
   * What one of the router's stores holds, from its changelog; {@code required}: whether a missing
   * changelog is an error rather than an empty store.
   */
  private Map<String, byte[]> changelog(String store, boolean required) {
    String changelog = applicationId + "-" + store + "-changelog";
    Map<String, byte[]> entries = new TreeMap<>();
    try (KafkaConsumer<String, byte[]> consumer = reader()) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(changelog, timeout).stream()
              .map(p -> new TopicPartition(changelog, p.partition()))
              .toList();
      if (partitions.isEmpty()) {
        if (!required) {
          return entries;
        }
        throw new IllegalStateException(
            "the router's store " + changelog + " does not exist: nothing to read objects from");
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + changelog + " to its end");
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (record.value() == null) {
            entries.remove(record.key());
          } else {
            entries.put(record.key(), record.value());
          }
        }
      }
    }
    return entries;
  }

  /** What the topic holds, for a router that never ran (nothing was versioned yet). */
  private Map<String, ResourceUpsert> publishedObjects() {
    try (KafkaConsumer<String, byte[]> consumer = reader()) {
      return ResourcesSnapshot.read(consumer, topics.resources().name(), Duration.ofMinutes(10));
    }
  }

  private KafkaConsumer<String, byte[]> reader() {
    Map<String, Object> props = new HashMap<>(kafka);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
  }

  private static void writeBackup(Map<String, ResourceUpsert> objects, Path backup) {
    EventCodec codec = new EventCodec();
    writeLines(
        backup,
        objects.values().stream()
            .map(upsert -> new String(codec.encodeData(upsert), StandardCharsets.UTF_8))
            .toList());
  }

  /** The resources topic, the router's own topics and its stores' changelogs. */
  private List<String> routerTopics() throws InterruptedException {
    try {
      return admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS).stream()
          .filter(
              t ->
                  t.equals(topics.resources().name())
                      || t.equals(RouterTopology.requestsTopic(topics))
                      || t.equals(RouterTopology.fanoutTopic(topics))
                      || t.startsWith(applicationId + "-"))
          .sorted()
          .toList();
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot list topics", e);
    }
  }

  private void deleteTopics(List<String> names) throws InterruptedException {
    try {
      admin.deleteTopics(names).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (admin.listTopics().names().get().stream().anyMatch(names::contains)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Kafka did not delete " + names + " within " + timeout);
        }
        Thread.sleep(200);
      }
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot delete " + names + ": " + e, e);
    }
  }

  /**
   * Forgets the router's positions in the deleted topics (the upstream's stay): the next router
   * reads the new ones from their beginning.
   */
  private void deleteOffsets() throws InterruptedException {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(applicationId)
              .partitionsToOffsetAndMetadata()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Set<TopicPartition> stale =
          committed.keySet().stream()
              .filter(tp -> !tp.topic().equals(topics.upstream().name()))
              .collect(Collectors.toSet());
      if (!stale.isEmpty()) {
        admin
            .deleteConsumerGroupOffsets(applicationId, stale)
            .all()
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof GroupIdNotFoundException)) {
        throw new IllegalStateException(
            "cannot reset the offsets of " + applicationId + ": " + e.getCause().getMessage(), e);
      }
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot reset the offsets of " + applicationId, e);
    }
  }

  private void createAnew(KedgeTopics target) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        provisioner.ensure(target.resources());
        provisioner.ensure(
            RouterTopology.internalTopics(target, target.resources().policy().partitions()));
        if (provisioner.partitions(target.resources().name())
            == target.resources().policy().partitions()) {
          return;
        }
      } catch (IllegalStateException e) {
        if (System.nanoTime() > deadline) {
          throw e; // still marked for deletion after the timeout
        }
      }
      Thread.sleep(500);
    }
  }

  private void publish(java.util.Collection<ResourceUpsert> objects, Map<String, String> writers) {
    Map<String, Object> props = new HashMap<>(kafka);
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "kedge-repartition-" + UUID.randomUUID());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.putAll(ResourcePartitioner.producerSettings(topics.resources().name()));
    EventCodec codec = new EventCodec();
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      int inTransaction = 0;
      for (ResourceUpsert upsert : objects) {
        String key = upsert.key().toString();
        var record =
            codec.toRecord(topics.resources().name(), key, KedgeEvent.of(SOURCE, key, upsert));
        String wrote = writers.get(Placement.identity(upsert.key()));
        if (wrote != null) {
          WriteOrigin.addWriters(record.headers(), Holdings.nodesOf(wrote));
        }
        producer.send(record);
        if (++inTransaction == TRANSACTION_SIZE) {
          producer.commitTransaction();
          producer.beginTransaction();
          inTransaction = 0;
        }
      }
      producer.commitTransaction();
    }
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
