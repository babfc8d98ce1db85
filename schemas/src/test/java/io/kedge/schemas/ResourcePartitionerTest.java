package io.kedge.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

class ResourcePartitionerTest {
  private static final int PARTITIONS = 12;

  @Test
  void aPodMeetsTheConfigMapsSecretsAndClaimsOfItsNamespaceAndADeviceItsModel() {
    for (String ns : List.of("default", "shop-17", "kube-system")) {
      int pod = ResourcePartitioner.partition("/v1/Pod/" + ns + "/web-0", PARTITIONS);
      assertThat(ResourcePartitioner.partition("/v1/ConfigMap/" + ns + "/settings", PARTITIONS))
          .isEqualTo(pod);
      assertThat(ResourcePartitioner.partition("/v1/Secret/" + ns + "/token", PARTITIONS))
          .isEqualTo(pod);
      assertThat(
              ResourcePartitioner.partition(
                  "/v1/PersistentVolumeClaim/" + ns + "/data", PARTITIONS))
          .isEqualTo(pod);
      assertThat(
              ResourcePartitioner.partition(
                  "devices.kubeedge.io/v1beta1/Device/" + ns + "/sensor", PARTITIONS))
          .isEqualTo(
              ResourcePartitioner.partition(
                  "devices.kubeedge.io/v1alpha2/DeviceModel/" + ns + "/model", PARTITIONS));
    }
  }

  @Test
  void leasesOfOneNamespaceNodesAndVolumesSpreadOverEveryPartition() {
    Set<Integer> leases = new HashSet<>();
    Set<Integer> nodes = new HashSet<>();
    for (int i = 0; i < 500; i++) {
      leases.add(
          ResourcePartitioner.partition(
              "coordination.k8s.io/v1/Lease/kube-node-lease/edge-" + i, PARTITIONS));
      nodes.add(ResourcePartitioner.partition("/v1/Node//edge-" + i, PARTITIONS));
    }
    Set<Integer> volumes = new HashSet<>();
    for (int i = 0; i < 500; i++) {
      volumes.add(ResourcePartitioner.partition("/v1/PersistentVolume//pv-" + i, PARTITIONS));
    }
    assertThat(leases).hasSize(PARTITIONS);
    assertThat(nodes).hasSize(PARTITIONS);
    assertThat(volumes).as("cluster-scoped volumes").hasSize(PARTITIONS);
  }

  @Test
  void anObjectKeepsItsPartitionWhateverVersionWroteIt() {
    assertThat(ResourcePartitioner.partition("apps/v1/Deployment/default/web", PARTITIONS))
        .isEqualTo(
            ResourcePartitioner.partition("apps/v1beta1/Deployment/default/web", PARTITIONS));
    assertThat(ResourcePartitioner.partition("anything", 1)).isZero();
  }

  @Test
  void aProducerPlacesResourcesByObjectAndOtherTopicsAsKafkaDoes() {
    ResourcePartitioner partitioner = new ResourcePartitioner();
    partitioner.configure(ResourcePartitioner.producerSettings("kedge.resources"));
    Cluster cluster = cluster(Map.of("kedge.resources", PARTITIONS, "other", PARTITIONS));
    String key = "/v1/Secret/shop-3/token";
    byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
    assertThat(partitioner.partition("kedge.resources", key, keyBytes, null, null, cluster))
        .isEqualTo(ResourcePartitioner.partition("/v1/Pod/shop-3/web", PARTITIONS));
    assertThat(partitioner.partition("other", key, keyBytes, null, null, cluster))
        .isEqualTo(Utils.toPositive(Utils.murmur2(keyBytes)) % PARTITIONS);
    assertThat(partitioner.partition("other", null, null, null, null, cluster))
        .isBetween(0, PARTITIONS - 1);
  }

  @Test
  void aSnapshotInPartsIsWholeOnceEveryPartEnded() {
    ResyncParts parts = new ResyncParts("r1");
    assertThat(parts.ended(new ResyncEnd("r1", 3, 2, 3))).isFalse();
    assertThat(parts.ended(new ResyncEnd("other", 3, 0, 3))).isFalse();
    assertThat(parts.ended(new ResyncEnd("r1", 3, 2, 3))).as("a part ended twice").isFalse();
    assertThat(parts.ended(new ResyncEnd("r1", 0, 0, 3))).isFalse();
    assertThat(parts.ended(new ResyncEnd("r1", 1, 1, 3))).isTrue();
    assertThat(new ResyncParts("r2").ended(new ResyncEnd("r2", 7))).isTrue();
    assertThat(new ResyncEnd("r1", 1, 0, 1).parts()).as("one part is whole").isNull();
    assertThatThrownBy(() -> new ResyncEnd("r1", 1, 3, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0 <= part < parts");
    assertThatThrownBy(() -> new ResyncBegin("r1", 0, null))
        .hasMessageContaining("part and parts must be given together");
  }

  private static Cluster cluster(Map<String, Integer> topics) {
    Node broker = new Node(0, "localhost", 9092);
    List<PartitionInfo> partitions = new java.util.ArrayList<>();
    topics.forEach(
        (topic, count) -> {
          for (int p = 0; p < count; p++) {
            partitions.add(
                new PartitionInfo(topic, p, broker, new Node[] {broker}, new Node[] {broker}));
          }
        });
    return new Cluster("c", List.of(broker), partitions, Set.of(), Set.of());
  }
}
