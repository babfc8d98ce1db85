package io.kedge.cloud.kube;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kedge.cloud.topics.ResourcesSnapshot;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.EventData;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceDelete;
import io.kedge.schemas.ResourcePartitioner;
import io.kedge.schemas.ResourceUpsert;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kubernetes source: fabric8 informers on the configured kinds write upserts and deletes,
 * carrying the cloud resourceVersion, to {@code kedge.resources}.
 *
 * <p>Nothing is published twice: a change is sent only if its key's resourceVersion differs from
 * the one last published, so informer re-lists and restarts (which list everything again) add no
 * traffic. On taking over, the source first reads what the topic holds, and after its informers
 * have synced it deletes what the cluster no longer has. Of several cloud instances only the holder
 * of a Lease publishes; the others wait to take over.
 */
public final class KubernetesSource implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesSource.class);
  private static final URI SOURCE = URI.create("/kedge/cloud/kubernetes");

  private final KubernetesClient client;
  private final KubernetesConfig config;
  private final List<KubeKind> kinds;
  private final Map<String, Object> kafka;
  private final String topic;
  private final String identity;
  private final EventCodec codec = new EventCodec();
  // The elector renews the Lease on its own threads; taking over (reading the topic, syncing the
  // informers) can take minutes, so it runs on another.
  private final ExecutorService leadership =
      Executors.newCachedThreadPool(r -> daemon(r, "kedge-kube-lease"));
  private final ExecutorService work =
      Executors.newSingleThreadExecutor(r -> daemon(r, "kedge-kube-source"));
  private final Map<String, String> published = new ConcurrentHashMap<>();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong unchanged = new AtomicLong();
  private final List<SharedIndexInformer<GenericKubernetesResource>> informers = new ArrayList<>();
  private volatile KafkaProducer<String, byte[]> producer;
  private volatile boolean leading;
  private volatile boolean synced;
  private CompletableFuture<?> election;

  /**
   * @param kafka settings of every Kafka client (servers and security)
   * @param identity this instance's name in the Lease
   */
  /** Exports what the informers published, skipped as unchanged, and whether this one leads. */
  public void bindMetrics(MeterRegistry metrics) {
    FunctionCounter.builder("kedge_kube_source_published_total", this, KubernetesSource::sent)
        .description("Changes the Kubernetes source published to the resources topic")
        .register(metrics);
    FunctionCounter.builder("kedge_kube_source_unchanged_total", this, KubernetesSource::unchanged)
        .description("Informer events not published again: the topic holds that version")
        .register(metrics);
    Gauge.builder("kedge_kube_source_leading", this, s -> s.leading() ? 1 : 0)
        .description("1 while this instance's informers publish (it holds the Lease)")
        .register(metrics);
  }

  public KubernetesSource(
      KubernetesClient client,
      KubernetesConfig config,
      List<KubeKind> kinds,
      Map<String, Object> kafka,
      String topic,
      String identity) {
    this.client = client;
    this.config = config;
    this.kinds = List.copyOf(kinds);
    this.kafka = Map.copyOf(kafka);
    this.topic = topic;
    this.identity = identity;
  }

  /** Competes for the Lease; publishes while holding it. */
  public KubernetesSource start() {
    LeaderElectionConfig election =
        new LeaderElectionConfig(
            new LeaseLock(config.leaseNamespace(), config.leaseName(), identity),
            config.leaseDuration(),
            config.leaseDuration().multipliedBy(2).dividedBy(3),
            config.leaseDuration().dividedBy(5),
            new LeaderCallbacks(
                () -> work.execute(this::safeLead),
                () -> work.execute(this::follow),
                this::leaderIs),
            true,
            config.leaseName());
    this.election = new LeaderElector(client, election, leadership).start();
    return this;
  }

  /** True while this instance publishes and its informers have synced. */
  public boolean synced() {
    return leading && synced;
  }

  public boolean leading() {
    return leading;
  }

  /** Changes published to the resources topic. */
  public long sent() {
    return sent.get();
  }

  /** Informer events dropped because the topic already holds that resourceVersion. */
  public long unchanged() {
    return unchanged.get();
  }

  private void safeLead() {
    try {
      lead();
    } catch (RuntimeException e) {
      LOG.error("the Kubernetes source could not start publishing: {}", e.toString(), e);
      follow();
      election.cancel(true); // give the Lease up: another instance may do better
      start();
    }
  }

  private synchronized void lead() {
    LOG.info("{} leads the Kubernetes source ({} kinds)", identity, kinds.size());
    leading = true;
    try (KafkaConsumer<String, byte[]> consumer = topicReader()) {
      published.clear();
      ResourcesSnapshot.read(consumer, topic, Duration.ofMinutes(5))
          .forEach((key, upsert) -> published.put(key, upsert.cloudResourceVersion()));
    }
    producer =
        new KafkaProducer<>(producerConfig(), new StringSerializer(), new ByteArraySerializer());
    Set<String> present = ConcurrentHashMap.newKeySet();
    for (KubeKind kind : kinds) {
      SharedIndexInformer<GenericKubernetesResource> informer =
          client.genericKubernetesResources(kind.context()).inAnyNamespace().runnableInformer(0);
      informer.addEventHandler(new Handler(kind, present));
      informers.add(informer);
    }
    List<CompletableFuture<?>> starts = new ArrayList<>();
    for (SharedIndexInformer<GenericKubernetesResource> informer : informers) {
      starts.add(informer.start().toCompletableFuture());
    }
    long begin = System.nanoTime();
    for (int i = 0; i < starts.size(); i++) {
      starts.get(i).join();
      LOG.info(
          "informer {}/{} synced ({}): {} objects, {} s",
          i + 1,
          starts.size(),
          kinds.get(i).name(),
          informers.get(i).getStore().list().size(),
          (System.nanoTime() - begin) / 1_000_000_000);
    }
    deleteVanished(present);
    synced = true;
  }

  /** Objects published before but absent from the cluster now were deleted while nobody watched. */
  private void deleteVanished(Set<String> present) {
    Set<String> watched = new HashSet<>();
    kinds.forEach(k -> watched.add(k.group() + "/" + k.kind()));
    int deleted = 0;
    for (String id : List.copyOf(published.keySet())) {
      ObjectKey key = ObjectKey.parse(id);
      if (watched.contains(key.group() + "/" + key.kind()) && !present.contains(id)) {
        send(key, new ResourceDelete(key, published.get(id)));
        published.remove(id);
        deleted++;
      }
    }
    LOG.info("Kubernetes source synced: {} objects deleted while it was away", deleted);
  }

  private synchronized void follow() {
    LOG.info("{} no longer leads the Kubernetes source", identity);
    leading = false;
    synced = false;
    informers.forEach(SharedIndexInformer::stop);
    informers.clear();
    if (producer != null) {
      producer.close(Duration.ofSeconds(10));
      producer = null;
    }
  }

  private void leaderIs(String leader) {
    LOG.info("the Kubernetes source is led by {}", leader);
  }

  /** Turns one kind's informer events into resource events, skipping what was published. */
  private final class Handler implements ResourceEventHandler<GenericKubernetesResource> {
    private final KubeKind kind;
    private final Set<String> present;

    Handler(KubeKind kind, Set<String> present) {
      this.kind = kind;
      this.present = present;
    }

    @Override
    public void onAdd(GenericKubernetesResource object) {
      upsert(object);
    }

    @Override
    public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
      upsert(after);
    }

    @Override
    public void onDelete(GenericKubernetesResource object, boolean finalStateUnknown) {
      ObjectNode json = json(object);
      ObjectKey key = ObjectKey.of(json);
      present.remove(key.toString());
      if (published.remove(key.toString()) != null) {
        send(key, new ResourceDelete(key, object.getMetadata().getResourceVersion()));
      }
    }

    private void upsert(GenericKubernetesResource object) {
      ObjectNode json = json(object);
      ObjectKey key = ObjectKey.of(json);
      String version = object.getMetadata().getResourceVersion();
      present.add(key.toString());
      if (version.equals(published.get(key.toString()))) {
        unchanged.incrementAndGet();
        return;
      }
      published.put(key.toString(), version);
      send(key, new ResourceUpsert(key, version, json));
    }

    /** The object as Kubernetes JSON; list items may lack apiVersion and kind, so set them. */
    private ObjectNode json(GenericKubernetesResource object) {
      try {
        ObjectNode json =
            (ObjectNode)
                EventCodec.json().readTree(client.getKubernetesSerialization().asJson(object));
        json.put("apiVersion", kind.apiVersion());
        json.put("kind", kind.kind());
        return json;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private void send(ObjectKey key, EventData data) {
    KafkaProducer<String, byte[]> out = producer;
    if (out == null) {
      return; // no longer leading: the next leader publishes it
    }
    out.send(
        codec.toRecord(topic, key.toString(), KedgeEvent.of(SOURCE, key.toString(), data)),
        (metadata, error) -> {
          if (error != null) {
            // the next leader, or this one after a restart, publishes it again from the cluster
            LOG.error("{} {} not published: {}", data.type(), key, error.toString());
            published.remove(key.toString());
          }
        });
    sent.incrementAndGet();
  }

  private KafkaConsumer<String, byte[]> topicReader() {
    Map<String, Object> props = new HashMap<>(kafka);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
  }

  private Map<String, Object> producerConfig() {
    Map<String, Object> props = new HashMap<>(kafka);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.putAll(ResourcePartitioner.producerSettings(topic));
    // While Kafka is away, hold changes (and then block the informers) rather than drop them.
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.MAX_VALUE);
    return props;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread thread = new Thread(r, name);
    thread.setDaemon(true);
    return thread;
  }

  @Override
  public void close() {
    if (election != null) {
      election.cancel(true);
    }
    work.shutdownNow();
    follow();
    leadership.shutdownNow();
  }
}
