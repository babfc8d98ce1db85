package io.kedge.cloud.manifest;

import io.kedge.schemas.EventCodec;
import io.kedge.schemas.EventData;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceDelete;
import io.kedge.schemas.ResourcePartitioner;
import io.kedge.schemas.ResourceUpsert;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes manifests to the resources topic, the store of standalone mode. Each file is one Kafka
 * transaction: its documents are applied together or not at all.
 */
public final class ManifestPublisher implements AutoCloseable {
  private static final URI SOURCE = URI.create("/kedge/cloud/manifests");

  private final KafkaProducer<String, byte[]> producer;
  private final KedgeTopics topics;
  private final EventCodec codec = new EventCodec();

  public ManifestPublisher(String bootstrap, KedgeTopics topics, Duration timeout) {
    this(bootstrap, Map.of(), topics, timeout);
  }

  /**
   * A publisher whose producer also takes {@code clientSettings} (security: see {@link
   * io.kedge.runtime.config.KafkaClientProperties}).
   */
  public ManifestPublisher(
      String bootstrap, Map<String, Object> clientSettings, KedgeTopics topics, Duration timeout) {
    this.topics = topics;
    Map<String, Object> props = new LinkedHashMap<>(clientSettings);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "kedge-apply-" + UUID.randomUUID());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.putAll(ResourcePartitioner.producerSettings(topics.resources().name()));
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis());
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeout.toMillis(), 15_000));
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    producer.initTransactions();
  }

  /** Upserts every manifest, one transaction per file; reports each as it is committed. */
  public void apply(List<Manifest> manifests, Consumer<Manifest> done) {
    publish(manifests, true, done);
  }

  /** Deletes every manifest's object, one transaction per file. */
  public void delete(List<Manifest> manifests, Consumer<Manifest> done) {
    publish(manifests, false, done);
  }

  private void publish(List<Manifest> manifests, boolean upsert, Consumer<Manifest> done) {
    Map<Path, List<Manifest>> byFile = new LinkedHashMap<>();
    for (Manifest m : manifests) {
      byFile.computeIfAbsent(m.file(), f -> new java.util.ArrayList<>()).add(m);
    }
    for (List<Manifest> file : byFile.values()) {
      List<ObjectKey> keys = file.stream().map(Manifest::key).toList();
      transact(file.get(0).file().toString(), upsert ? file : List.of(), upsert ? List.of() : keys);
      file.forEach(done);
    }
  }

  /**
   * Upserts {@code upserts} and deletes {@code deletes} in one transaction: all or nothing.
   *
   * @param what names the change in the error, e.g. its file
   */
  public void transact(String what, List<Manifest> upserts, List<ObjectKey> deletes) {
    String topic = topics.resources().name();
    producer.beginTransaction();
    try {
      for (Manifest m : upserts) {
        send(topic, m.key(), new ResourceUpsert(m.key(), "", m.object()));
      }
      for (ObjectKey key : deletes) {
        send(topic, key, new ResourceDelete(key, ""));
      }
      producer.commitTransaction();
    } catch (RuntimeException e) {
      try {
        producer.abortTransaction();
      } catch (RuntimeException abort) {
        e.addSuppressed(abort);
      }
      throw new IllegalStateException(
          "cannot write "
              + what
              + " to "
              + topic
              + " (nothing of it was applied): "
              + e.getMessage(),
          e);
    }
  }

  private void send(String topic, ObjectKey key, EventData data) {
    producer.send(
        codec.toRecord(topic, key.toString(), KedgeEvent.of(SOURCE, key.toString(), data)));
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
