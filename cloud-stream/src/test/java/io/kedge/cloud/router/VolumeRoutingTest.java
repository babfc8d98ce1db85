package io.kedge.cloud.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.DeadLetter;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ReferrerNodes;
import io.kedge.schemas.ResyncRequest;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * What a kubelet needs to mount a pod's persistent volumes reaches the pod's node: the claims the
 * pod mounts (before the pod, counted like ConfigMaps) and the volume each claim is bound to, told
 * from the claim's partition to the volume's; both leave with the last pod that needs them.
 */
class VolumeRoutingTest extends RouterTestBase {
  @Test
  void aPodsClaimArrivesBeforeItAndTheBoundVolumeFollows() {
    upsert(node("edge-1"));
    upsert(volume("pv-data"));
    upsert(object("v1", "PersistentVolume", "", "pv-unused"));
    upsert(claim("data", "pv-data"));
    upsert(podWithClaim("web", "edge-1", "data"));
    assertThat(received("edge-1"))
        .containsExactly(
            "upsert Node/edge-1",
            "upsert PersistentVolumeClaim/data",
            "upsert Pod/web",
            "upsert PersistentVolume/pv-data");

    upsert(podWithClaim("second", "edge-1", "data"));
    delete(podWithClaim("web", "edge-1", "data"));
    assertThat(received("edge-1"))
        .as("the claim and its volume stay while a pod of the node mounts it")
        .containsExactly("upsert Pod/second", "delete Pod/web");

    delete(podWithClaim("second", "edge-1", "data"));
    assertThat(received("edge-1"))
        .containsExactly(
            "delete Pod/second",
            "delete PersistentVolumeClaim/data",
            "delete PersistentVolume/pv-data");
  }

  @Test
  void aVolumeBoundLaterOrChangedReachesTheNodesOfItsClaim() {
    upsert(node("edge-1"));
    upsert(claim("data", ""));
    upsert(podWithClaim("web", "edge-1", "data"));
    upsert(volume("pv-a"));
    assertThat(received("edge-1"))
        .as("an unbound claim brings no volume")
        .containsExactly(
            "upsert Node/edge-1", "upsert PersistentVolumeClaim/data", "upsert Pod/web");

    upsert(claim("data", "pv-a"));
    assertThat(received("edge-1"))
        .containsExactly("upsert PersistentVolumeClaim/data", "upsert PersistentVolume/pv-a");

    ObjectNode changed = volume("pv-a");
    changed.withObject("spec").putObject("capacity").put("storage", "2Gi");
    upsert(changed);
    upsert(claim("data", "pv-b"));
    upsert(volume("pv-b"));
    assertThat(received("edge-1"))
        .containsExactly(
            "upsert PersistentVolume/pv-a",
            "upsert PersistentVolumeClaim/data",
            "delete PersistentVolume/pv-a",
            "upsert PersistentVolume/pv-b");

    delete(claim("data", "pv-b"));
    assertThat(received("edge-1"))
        .containsExactly("delete PersistentVolumeClaim/data", "delete PersistentVolume/pv-b");
  }

  @Test
  void theVolumeMovesWithThePodAndIsInTheNodesResync() {
    upsert(node("edge-1"));
    upsert(node("edge-2"));
    upsert(volume("pv-data"));
    upsert(claim("data", "pv-data"));
    upsert(podWithClaim("web", "edge-1", "data"));
    received("edge-1");
    received("edge-2");

    upsert(podWithClaim("web", "edge-2", "data"));
    assertThat(received("edge-2"))
        .containsExactly(
            "upsert PersistentVolumeClaim/data",
            "upsert Pod/web",
            "upsert PersistentVolume/pv-data");
    assertThat(received("edge-1"))
        .containsExactly(
            "delete Pod/web",
            "delete PersistentVolumeClaim/data",
            "delete PersistentVolume/pv-data");

    resync("edge-2");
    List<String> lines = received("edge-2");
    assertThat(lines)
        .containsExactlyInAnyOrder(
            "begin",
            "upsert Node/edge-2",
            "upsert PersistentVolumeClaim/data",
            "upsert Pod/web",
            "upsert PersistentVolume/pv-data",
            "end 4");
    resync("edge-1");
    assertThat(received("edge-1")).containsExactly("begin", "upsert Node/edge-1", "end 1");
  }

  @Test
  void aGenericEphemeralVolumesClaimIsNamedAfterPodAndVolume() {
    upsert(node("edge-1"));
    upsert(volume("pv-scratch"));
    upsert(claim("web-scratch", "pv-scratch"));
    ObjectNode web = pod("web", "edge-1");
    web.withObject("spec")
        .withArray("volumes")
        .addObject()
        .put("name", "scratch")
        .putObject("ephemeral")
        .putObject("volumeClaimTemplate");
    upsert(web);
    assertThat(received("edge-1"))
        .containsExactly(
            "upsert Node/edge-1",
            "upsert PersistentVolumeClaim/web-scratch",
            "upsert Pod/web",
            "upsert PersistentVolume/pv-scratch");
  }

  @Test
  void aClaimNamingNoPossibleVolumeBringsNoneAndRoutingGoesOn() {
    upsert(node("edge-1"));
    upsert(claim("data", "shop/pv-data"));
    upsert(podWithClaim("web", "edge-1", "data"));
    upsert(volume("pv-data"));
    upsert(pod("after", "edge-1"));
    assertThat(received("edge-1"))
        .containsExactly(
            "upsert Node/edge-1",
            "upsert PersistentVolumeClaim/data",
            "upsert Pod/web",
            "upsert Pod/after");
  }

  @Test
  void theExampleDoesWhatItsCommentSays() {
    upsert(node("edge-1"));
    upsert(node("edge-2"));
    for (io.kedge.cloud.manifest.Manifest manifest :
        new io.kedge.cloud.manifest.ManifestReader()
            .read(java.nio.file.Path.of("..", "examples", "volume.yaml"))) {
      upsert(manifest.object());
    }
    assertThat(received("edge-1"))
        .containsExactly(
            "upsert Node/edge-1",
            "upsert PersistentVolumeClaim/data",
            "upsert Pod/db",
            "upsert PersistentVolume/edge-1-data");
    assertThat(received("edge-2")).containsExactly("upsert Node/edge-2");
  }

  /**
   * What a kubelet's volume manager checks before it mounts a claim: the claim Bound and naming the
   * volume, the volume's claimRef naming the claim's uid.
   */
  @Test
  void theExamplesPairIsBoundAsAKubeletChecksIt() {
    upsert(node("edge-1"));
    for (io.kedge.cloud.manifest.Manifest manifest :
        new io.kedge.cloud.manifest.ManifestReader()
            .read(java.nio.file.Path.of("..", "examples", "volume.yaml"))) {
      upsert(manifest.object());
    }
    java.util.Map<String, ObjectNode> objects = receivedObjects("edge-1");
    ObjectNode claim = objects.get("PersistentVolumeClaim");
    ObjectNode volume = objects.get("PersistentVolume");
    assertThat(claim.at("/status/phase").asText()).isEqualTo("Bound");
    assertThat(claim.at("/spec/volumeName").asText())
        .isEqualTo(volume.at("/metadata/name").asText());
    assertThat(volume.at("/spec/claimRef/uid").asText())
        .isNotEmpty()
        .isEqualTo(claim.at("/metadata/uid").asText());
  }

  @Test
  void volumeAttachmentsGoToTheirNode() {
    upsert(node("edge-1"));
    ObjectNode attachment = object("storage.k8s.io/v1", "VolumeAttachment", "", "csi-0123");
    attachment.putObject("spec").put("nodeName", "edge-1").put("attacher", "csi.example.com");
    upsert(attachment);
    assertThat(received("edge-1"))
        .containsExactly("upsert Node/edge-1", "upsert VolumeAttachment/csi-0123");
  }

  @Test
  void aReferrersWordFromOutsideTheRouterIsADeadLetter() {
    upsert(node("edge-1"));
    upsert(volume("pv-data"));
    send(new ReferrerNodes("/PersistentVolumeClaim/default/forged", List.of("edge-1")));
    upsert(podWithClaim("web", "edge-1", "data"));
    assertThat(received("edge-1")).containsExactly("upsert Node/edge-1", "upsert Pod/web");
    var dlq =
        driver.createOutputTopic(
            topics.deadletter().name(), new StringDeserializer(), new ByteArrayDeserializer());
    TestRecord<String, byte[]> dead = dlq.readRecord();
    assertThat(DeadLetter.header(dead.headers(), DeadLetter.REASON))
        .contains("between the router's partitions only");
  }

  @Test
  void volumesAndClaimsGetKubeApiserversDefaults() {
    upsert(node("edge-1"));
    upsert(volume("pv-data"));
    ObjectNode bound = claim("data", "pv-data");
    bound.putObject("status").put("phase", "Bound");
    bound.withObject("spec").put("volumeMode", "Block");
    upsert(bound);
    upsert(podWithClaim("web", "edge-1", "data"));
    java.util.Map<String, ObjectNode> objects = receivedObjects("edge-1");
    ObjectNode volume = objects.get("PersistentVolume");
    assertThat(volume.at("/spec/volumeMode").asText()).isEqualTo("Filesystem");
    assertThat(volume.at("/spec/persistentVolumeReclaimPolicy").asText()).isEqualTo("Retain");
    assertThat(volume.at("/status/phase").asText()).isEqualTo("Pending");
    ObjectNode claim = objects.get("PersistentVolumeClaim");
    assertThat(claim.at("/spec/volumeMode").asText()).as("given, so kept").isEqualTo("Block");
    assertThat(claim.at("/status/phase").asText()).isEqualTo("Bound");
  }

  /** The last object of each kind {@code node}'s topic carries. */
  private java.util.Map<String, ObjectNode> receivedObjects(String node) {
    var out =
        driver.createOutputTopic(
            topics.node(node).name(),
            new StringDeserializer(),
            new io.kedge.schemas.KedgeEventSerde(codec).deserializer());
    java.util.Map<String, ObjectNode> objects = new java.util.HashMap<>();
    for (KedgeEvent event : out.readValuesToList()) {
      if (event.data() instanceof io.kedge.schemas.ResourceUpsert upsert) {
        objects.put(upsert.key().kind(), upsert.object());
      }
    }
    return objects;
  }

  private static ObjectNode volume(String name) {
    ObjectNode pv = object("v1", "PersistentVolume", "", name);
    pv.putObject("spec").putObject("hostPath").put("path", "/data/" + name);
    return pv;
  }

  private void resync(String node) {
    KedgeEvent request = KedgeEvent.of(SOURCE, "", new ResyncRequest(node, "r-" + node, "test"));
    ProducerRecord<String, byte[]> record = codec.toRecord("t", node, request);
    upstream.pipeInput(new TestRecord<>(node, record.value(), record.headers()));
  }
}
