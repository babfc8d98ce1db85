package io.kedge.schemas;

import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.utils.Utils;

/**
 * Places records of {@code kedge.resources} so that what the router must see together meets in one
 * partition: a Pod with the ConfigMaps, Secrets and PersistentVolumeClaims it references, a Device
 * with its DeviceModel. Those kinds are spread by namespace; every other object by its version-free
 * identity, so a namespace of many Leases or Events spreads over every partition. Every producer to
 * {@code kedge.resources} must place records this way ({@link #CONFIG} names the topic); records to
 * other topics are placed as Kafka's default partitioner places keyed records.
 */
public final class ResourcePartitioner implements Partitioner {
  /** The producer setting naming the resources topic this partitioner places. */
  public static final String CONFIG = "kedge.resources.topic";

  private String resourcesTopic;

  /** The producer settings that place records to {@code resourcesTopic} this way. */
  public static Map<String, Object> producerSettings(String resourcesTopic) {
    return Map.of(
        ProducerConfig.PARTITIONER_CLASS_CONFIG,
        ResourcePartitioner.class.getName(),
        CONFIG,
        resourcesTopic);
  }

  /** The partition of the object with record key {@code key} among {@code partitions}. */
  public static int partition(String key, int partitions) {
    if (partitions == 1) {
      return 0;
    }
    return Utils.toPositive(
            Utils.murmur2(spreadBy(key).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        % partitions;
  }

  /**
   * What places the object: its namespace for the kinds whose references the router follows, else
   * its identity without the version. A key that is not an object key places by itself.
   */
  static String spreadBy(String key) {
    String[] parts = key.split("/", -1);
    if (parts.length != 5) {
      return key;
    }
    String group = parts[0];
    String kind = parts[2];
    String namespace = parts[3];
    boolean followsReferences =
        group.isEmpty()
            ? kind.equals("Pod")
                || kind.equals("ConfigMap")
                || kind.equals("Secret")
                || kind.equals("PersistentVolumeClaim")
            : group.equals("devices.kubeedge.io")
                && (kind.equals("Device") || kind.equals("DeviceModel"));
    if (followsReferences && !namespace.isEmpty()) {
      return "ns:" + namespace;
    }
    return group + "/" + kind + "/" + namespace + "/" + parts[4];
  }

  @Override
  public void configure(Map<String, ?> configs) {
    Object topic = configs.get(CONFIG);
    resourcesTopic = topic == null ? null : topic.toString();
  }

  @Override
  public int partition(
      String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
    int partitions = cluster.partitionCountForTopic(topic);
    if (topic.equals(resourcesTopic) && key instanceof String objectKey) {
      return partition(objectKey, partitions);
    }
    if (keyBytes == null) {
      return ThreadLocalRandom.current().nextInt(partitions);
    }
    return Utils.toPositive(Utils.murmur2(keyBytes)) % partitions;
  }

  @Override
  public void close() {}
}
