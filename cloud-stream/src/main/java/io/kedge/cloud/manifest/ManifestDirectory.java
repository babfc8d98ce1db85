package io.kedge.cloud.manifest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.cloud.topics.ResourcesSnapshot;
import io.kedge.runtime.config.ConfigKey;
import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceUpsert;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A watched manifest directory (standalone mode): what its YAML and JSON files declare is what
 * {@code kedge.resources} holds for them. A new or changed file is applied as one transaction, with
 * deletes for the documents it no longer has; a removed file's objects are deleted; a file that
 * does not parse is reported with its file, document and field, and nothing of it changes.
 *
 * <p>Objects carry the annotation {@value #FILE_ANNOTATION} naming their file, so a restarted cloud
 * finds, from the topic alone, what each file declared: unchanged objects are not published again,
 * and objects of files removed while it was down are deleted. Objects applied by {@code kedge
 * apply} are left alone unless a file declares the same object.
 */
public final class ManifestDirectory implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ManifestDirectory.class);

  /** Annotation naming the file (relative to the directory) an object was declared in. */
  public static final String FILE_ANNOTATION = "kedge.io/manifest-file";

  public static final ConfigKey<String> DIR =
      ConfigKey.string(
          "manifests.dir",
          "",
          "Directory of YAML/JSON manifests kept applied (standalone mode): changed files are"
              + " applied, removed files and documents deleted; empty: none.");
  public static final ConfigKey<Duration> POLL_INTERVAL =
      ConfigKey.duration(
          "manifests.poll-interval",
          Duration.ofSeconds(2),
          Duration.ofMillis(100),
          "How often the manifest directory is scanned for changes.");

  private final Path dir;
  private final ManifestPublisher publisher;
  private final ManifestReader reader = new ManifestReader();
  private final ScheduledExecutorService timer = DaemonThreads.scheduled("kedge-manifest-dir");

  /** Objects the directory's files declare, as last published: key to object. */
  private final Map<String, ObjectNode> published = new HashMap<>();

  /** Content digest of each file as last read (valid or not). */
  private final Map<String, String> digests = new HashMap<>();

  private final Set<String> invalid = new HashSet<>();
  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private boolean ownsPublisher;

  /**
   * @param stored what kedge.resources holds now (see {@code ResourcesSnapshot})
   */
  public ManifestDirectory(
      Path dir, ManifestPublisher publisher, Map<String, ResourceUpsert> stored) {
    this.dir = dir;
    this.publisher = publisher;
    stored.forEach(
        (key, upsert) -> {
          if (!upsert
              .object()
              .path("metadata")
              .path("annotations")
              .path(FILE_ANNOTATION)
              .isMissingNode()) {
            published.put(key, upsert.object());
          }
        });
  }

  /**
   * Reads what kedge.resources holds, then keeps {@code dir} applied to it, scanning every {@code
   * interval}; closing it closes its producer.
   *
   * @param kafka settings of every Kafka client (servers and security)
   */
  public static ManifestDirectory watch(
      Path dir, Map<String, Object> kafka, KedgeTopics topics, Duration interval) {
    Map<String, Object> settings = new HashMap<>(kafka);
    String bootstrap = String.valueOf(settings.remove("bootstrap.servers"));
    Map<String, Object> readProps = new HashMap<>(kafka);
    readProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    readProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    Map<String, ResourceUpsert> stored;
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(readProps, new StringDeserializer(), new ByteArrayDeserializer())) {
      stored = ResourcesSnapshot.read(consumer, topics.resources().name(), Duration.ofMinutes(5));
    }
    ManifestPublisher publisher =
        new ManifestPublisher(bootstrap, settings, topics, Duration.ofSeconds(60));
    ManifestDirectory directory = new ManifestDirectory(dir, publisher, stored);
    directory.ownsPublisher = true;
    try {
      return directory.start(interval);
    } catch (RuntimeException e) {
      directory.close();
      throw e;
    }
  }

  /** Scans at once, then every {@code interval}. */
  /** Exports the files refused and applied. */
  public void bindMetrics(MeterRegistry metrics) {
    Gauge.builder("kedge_manifest_invalid_files", this, d -> d.invalidFiles().size())
        .description("Files of the manifest directory whose content is refused")
        .register(metrics);
    FunctionCounter.builder("kedge_manifest_files_applied_total", this, ManifestDirectory::applied)
        .description("Manifest directory files applied (one transaction each)")
        .register(metrics);
  }

  public ManifestDirectory start(Duration interval) {
    scan();
    timer.scheduleWithFixedDelay(
        this::safeScan, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Files applied (each a transaction). */
  public long applied() {
    return applied.get();
  }

  /** File versions refused because they do not parse or validate. */
  public long rejected() {
    return rejected.get();
  }

  /** Files whose current content is refused, relative to the directory. */
  public synchronized Set<String> invalidFiles() {
    return Set.copyOf(invalid);
  }

  private void safeScan() {
    try {
      scan();
    } catch (RuntimeException e) {
      LOG.error("manifest directory {} not scanned: {}", dir, e.toString(), e);
    }
  }

  /** Brings kedge.resources in line with the files as they are now. */
  public synchronized void scan() {
    Map<String, Path> files = files();
    for (Map.Entry<String, Path> file : files.entrySet()) {
      String digest = digest(file.getValue());
      if (!digest.equals(digests.get(file.getKey()))) {
        digests.put(file.getKey(), digest);
        sync(file.getKey(), file.getValue());
      }
    }
    Set<String> gone = new HashSet<>(declaringFiles());
    gone.removeAll(files.keySet());
    for (String file : gone) {
      sync(file, null);
    }
    digests.keySet().retainAll(files.keySet());
    invalid.retainAll(files.keySet());
  }

  /** Publishes what {@code file} declares now ({@code path} null: nothing, it is gone). */
  private void sync(String file, Path path) {
    List<Manifest> declared;
    try {
      declared = path == null ? List.of() : reader.read(path);
    } catch (ManifestException e) {
      rejected.incrementAndGet();
      invalid.add(file);
      LOG.error("manifest {} not applied, its objects unchanged: {}", file, e.getMessage());
      return;
    }
    invalid.remove(file);
    List<Manifest> upserts = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    for (Manifest m : declared) {
      ObjectNode object = m.object().deepCopy();
      object.withObject("metadata").withObject("annotations").put(FILE_ANNOTATION, file);
      keys.add(m.key().toString());
      if (!object.equals(published.get(m.key().toString()))) {
        upserts.add(new Manifest(m.file(), m.document(), m.key(), object));
      }
    }
    List<ObjectKey> deletes = new ArrayList<>();
    published.forEach(
        (key, object) -> {
          if (file.equals(fileOf(object)) && !keys.contains(key)) {
            deletes.add(ObjectKey.parse(key));
          }
        });
    if (upserts.isEmpty() && deletes.isEmpty()) {
      return;
    }
    publisher.transact(file, upserts, deletes);
    upserts.forEach(m -> published.put(m.key().toString(), m.object()));
    deletes.forEach(k -> published.remove(k.toString()));
    applied.incrementAndGet();
    LOG.info("manifest {}: {} object(s) applied, {} deleted", file, upserts.size(), deletes.size());
  }

  private Set<String> declaringFiles() {
    Set<String> files = new HashSet<>();
    published.values().forEach(o -> files.add(fileOf(o)));
    return files;
  }

  private static String fileOf(ObjectNode object) {
    return object.path("metadata").path("annotations").path(FILE_ANNOTATION).asText("");
  }

  /** The manifest files under the directory, by path relative to it, in a stable order. */
  private Map<String, Path> files() {
    Map<String, Path> files = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      LOG.warn("manifest directory {} does not exist (yet)", dir);
      return files;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths
          .filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().matches(".*\\.(ya?ml|json)$"))
          // hidden entries skipped: a mounted ConfigMap holds every file twice, under ..data too
          .filter(p -> !dir.relativize(p).toString().matches("(.*/)?\\..*"))
          .forEach(p -> files.put(dir.relativize(p).toString(), p));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list manifest directory " + dir, e);
    }
    return files;
  }

  private static String digest(Path file) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(Files.readAllBytes(file)));
    } catch (IOException e) {
      return "unreadable: " + e.getMessage(); // read again (and reported) once it changes
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    if (ownsPublisher) {
      publisher.close();
    }
  }
}
