package io.kedge.cloud.devices;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.cloud.kube.KubeWrites;
import io.kedge.cloud.manifest.Manifest;
import io.kedge.cloud.manifest.ManifestPublisher;
import io.kedge.cloud.rules.ResourceFollower;
import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.WriteRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the device-profile ConfigMaps ({@link DeviceProfiles}) in step with the Devices and
 * DeviceModels of {@code kedge.resources}: it follows the topic, and once a second writes the
 * profiles that differ from what is stored and deletes the ones of nodes without devices. In
 * standalone mode it writes to {@code kedge.resources}; in Kubernetes mode to the cluster, whose
 * informers bring them back. Several cloud instances may write the same profile: the content is the
 * same, so the last write wins unchanged.
 */
public final class DeviceProfilePublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceProfilePublisher.class);
  private static final String MERGE_PATCH = "application/merge-patch+json";

  /** Where the profiles are written. */
  interface Writer {
    void write(List<ObjectNode> upserts, List<ObjectKey> deletes);
  }

  private final ResourceFollower follower;
  private final Writer writer;
  private final ScheduledExecutorService timer = DaemonThreads.scheduled("kedge-device-profiles");
  private final Map<ObjectKey, ObjectNode> devices = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> models = new ConcurrentHashMap<>();
  private final Map<ObjectKey, ObjectNode> stored = new ConcurrentHashMap<>();
  private final AutoCloseable closeWriter;
  private volatile boolean changed = true;

  private DeviceProfilePublisher(
      Map<String, Object> kafka, KedgeTopics topics, Writer writer, AutoCloseable closeWriter) {
    this.writer = writer;
    this.closeWriter = closeWriter;
    Map<String, Object> props = new HashMap<>(kafka);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    this.follower =
        new ResourceFollower(
            new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer()),
            topics.resources().name(),
            new EventCodec(),
            DeviceProfilePublisher::follows,
            this::apply);
  }

  /**
   * Starts following and publishing: to the cluster through {@code kubernetes}, or to {@code
   * kedge.resources} when it is null (standalone).
   */
  public static DeviceProfilePublisher start(
      Map<String, Object> kafka, KedgeTopics topics, KubeWrites kubernetes) {
    DeviceProfilePublisher publisher;
    if (kubernetes == null) {
      String bootstrap = String.valueOf(kafka.get("bootstrap.servers"));
      Map<String, Object> client = new HashMap<>(kafka);
      client.remove("bootstrap.servers");
      ManifestPublisher manifests =
          new ManifestPublisher(bootstrap, client, topics, Duration.ofSeconds(30));
      publisher =
          new DeviceProfilePublisher(
              kafka,
              topics,
              (upserts, deletes) ->
                  manifests.transact(
                      "device profiles",
                      upserts.stream()
                          .map(o -> new Manifest(Path.of("device-profiles"), 1, ObjectKey.of(o), o))
                          .toList(),
                      deletes),
              manifests);
    } else {
      publisher = new DeviceProfilePublisher(kafka, topics, toCluster(kubernetes), () -> {});
    }
    publisher.follower.start();
    publisher.timer.scheduleWithFixedDelay(publisher::publish, 1, 1, TimeUnit.SECONDS);
    return publisher;
  }

  static boolean follows(ObjectKey key) {
    return (key.group().equals("devices.kubeedge.io")
            && (key.kind().equals("Device") || key.kind().equals("DeviceModel")))
        || (key.group().isEmpty()
            && key.kind().equals("ConfigMap")
            && key.name().startsWith(DeviceProfiles.PREFIX));
  }

  private void apply(ObjectKey key, ObjectNode object) {
    switch (key.kind()) {
      case "Device" -> put(devices, key, object);
      case "DeviceModel" -> {
        String id = key.namespace() + "/" + key.name();
        if (object == null) {
          models.remove(id);
        } else {
          models.put(id, object);
        }
      }
      default -> put(stored, key, object);
    }
    changed = true;
  }

  private static void put(Map<ObjectKey, ObjectNode> map, ObjectKey key, ObjectNode object) {
    if (object == null) {
      map.remove(key);
    } else {
      map.put(key, object);
    }
  }

  /** Writes what differs; on failure everything is tried again next time. */
  private synchronized void publish() {
    if (!changed || !follower.caughtUp()) {
      return;
    }
    changed = false;
    try {
      Map<ObjectKey, ObjectNode> wanted = DeviceProfiles.of(devices.values(), models);
      List<ObjectNode> upserts = new ArrayList<>();
      wanted.forEach(
          (key, configMap) -> {
            if (!sameProfile(stored.get(key), configMap)) {
              upserts.add(configMap);
            }
          });
      List<ObjectKey> deletes = new ArrayList<>();
      stored.forEach(
          (key, configMap) -> {
            boolean ours =
                DeviceProfiles.GENERATED_VALUE.equals(
                    configMap
                        .path("metadata")
                        .path("labels")
                        .path(DeviceProfiles.GENERATED_LABEL)
                        .asText());
            if (ours && !wanted.containsKey(key)) {
              deletes.add(key);
            }
          });
      if (!upserts.isEmpty() || !deletes.isEmpty()) {
        writer.write(upserts, deletes);
        LOG.info(
            "device profiles: wrote {}, deleted {}",
            upserts.stream().map(o -> ObjectKey.of(o).name()).toList(),
            deletes.stream().map(ObjectKey::name).toList());
      }
    } catch (RuntimeException e) {
      changed = true;
      LOG.warn("device profiles not written: {}; retried", e.toString());
    }
  }

  private static boolean sameProfile(JsonNode stored, JsonNode wanted) {
    return stored != null
        && stored.path("data").equals(wanted.path("data"))
        && DeviceProfiles.GENERATED_VALUE.equals(
            stored.path("metadata").path("labels").path(DeviceProfiles.GENERATED_LABEL).asText());
  }

  /** Writes to the cluster: a merge patch of labels and data, or a create when it is missing. */
  private static Writer toCluster(KubeWrites kubernetes) {
    return (upserts, deletes) -> {
      for (ObjectNode configMap : upserts) {
        ObjectKey key = ObjectKey.of(configMap);
        ObjectNode patch = EventCodec.json().createObjectNode();
        patch.putObject("metadata").set("labels", configMap.path("metadata").path("labels"));
        patch.set("data", configMap.path("data"));
        KubeWrites.Result result =
            kubernetes.apply(request(WriteOperation.PATCH, key, MERGE_PATCH, patch));
        if (result.code() == 404) {
          result = kubernetes.apply(request(WriteOperation.CREATE, key, "", configMap));
        }
        if (!result.succeeded()) {
          throw new IllegalStateException(
              "ConfigMap " + key.name() + ": " + result.body().path("message").asText());
        }
      }
      for (ObjectKey key : deletes) {
        KubeWrites.Result result = kubernetes.apply(request(WriteOperation.DELETE, key, "", null));
        if (!result.succeeded() && result.code() != 404) {
          throw new IllegalStateException(
              "ConfigMap " + key.name() + ": " + result.body().path("message").asText());
        }
      }
    };
  }

  private static WriteRequest request(
      WriteOperation operation, ObjectKey key, String patchType, JsonNode body) {
    return new WriteRequest(
        "device-profile-" + UUID.randomUUID(),
        "",
        operation,
        key,
        "",
        patchType,
        body,
        "",
        false,
        "kedge-device-profiles");
  }

  @Override
  public void close() throws Exception {
    timer.shutdownNow();
    follower.close();
    closeWriter.close();
  }
}
