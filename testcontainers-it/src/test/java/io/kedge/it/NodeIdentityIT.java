package io.kedge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.edge.relay.link.LinkState;
import io.kedge.kube.authorization.NodeWriteRules;
import io.kedge.schemas.DeadLetter;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.WriteRequest;
import io.kedge.schemas.authorization.NodeSignatures;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stolen edge node acts only as itself, on a real broker: node edge-1 signs what it sends with
 * its own key and its edge API refuses what is not its to write; a forger holding edge-1's key and
 * Kafka access, skipping the edge API, can neither speak for edge-2 (dead-lettered, counted) nor
 * write edge-2's objects (403 to edge-1), and unsigned events are refused.
 */
class NodeIdentityIT {
  @TempDir Path tmp;

  @Test
  void aNodeActsOnlyAsItself() throws Exception {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    Path keyFile = tmp.resolve("edge-1.key");
    Files.writeString(keyFile, NodeSignatures.encode(NodeSignatures.nodeKey(secret, "edge-1")));
    try (CloudEnvironment cloud =
        new CloudEnvironment(
            "identity",
            tmp,
            config -> config.withNodeKeySecret(secret).withNodeWrites(NodeWriteRules.NONE))) {
      cloud.apply(CloudEnvironment.node("edge-1"));
      cloud.apply(CloudEnvironment.node("edge-2"));
      cloud.apply(CloudEnvironment.pod("mine", "edge-1"));
      cloud.apply(CloudEnvironment.pod("theirs", "edge-2"));
      try (EdgeNode edge =
              EdgeNode.start(
                  cloud.edgeConfig(
                      "edge-1",
                      tmp.resolve("edge-1"),
                      Map.of("edge.node-key-file", keyFile.toString(), "edge.node-writes", "")),
                  "test");
          KubernetesClient edgeApi = CloudEnvironment.edgeClient(edge)) {
        Awaitility.await("edge-1 resynced: its signed resync request was accepted")
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    edge.linkState() == LinkState.CONNECTED
                        && CloudEnvironment.podNames(edge).contains("mine"));

        // its own pod's status: signed, allowed, applied in the cloud and answered
        var running =
            edgeApi
                .pods()
                .withName("mine")
                .editStatus(
                    p ->
                        new PodBuilder(p)
                            .editOrNewStatus()
                            .withPhase("Running")
                            .endStatus()
                            .build());
        assertThat(running.getStatus().getPhase()).isEqualTo("Running");

        // not its to write: refused by its own edge API, nothing leaves the node
        assertThatThrownBy(
                () ->
                    edgeApi
                        .secrets()
                        .resource(
                            new SecretBuilder()
                                .withNewMetadata()
                                .withName("db")
                                .endMetadata()
                                .build())
                        .create())
            .isInstanceOfSatisfying(
                KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));

        // a forger with edge-1's key and Kafka access, straight onto the upstream topic
        byte[] stolenKey = NodeSignatures.nodeKey(secret, "edge-1");
        try (KafkaProducer<String, byte[]> forger =
            new KafkaProducer<>(
                Map.of("bootstrap.servers", cloud.kafka.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
          forger.send(forged(cloud, statusPatch("edge-2", "theirs"), "edge-1", stolenKey)).get();
          forger.send(forged(cloud, statusPatch("edge-2", "theirs"), "edge-2", stolenKey)).get();
          forger.send(forged(cloud, statusPatch("edge-2", "theirs"), "edge-2", null)).get();
          forger.send(forged(cloud, statusPatch("edge-1", "theirs"), "edge-1", stolenKey)).get();
        }
        Awaitility.await("every forgery refused and counted")
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    cloud.router.rejections().total("node-mismatch") == 1
                        && cloud.router.rejections().total("bad-signature") == 1
                        && cloud.router.rejections().total("unsigned") == 1
                        && cloud.router.rejections().total("forbidden") == 1);
        assertThat(deadLetterReasons(cloud))
            .contains(
                "node-mismatch: it claims node edge-2, but node edge-1 signed it",
                "bad-signature: the signature is not node edge-2's; it claims node edge-2, its"
                    + " real node is unknown");
        assertThat(
                CloudEnvironment.upsertNames(
                    cloud.kafka.bootstrapServers(), cloud.topics.resources().name(), "Pod"))
            .as("edge-2's pod was never written: only its manifest and edge-1's own status write")
            .containsExactly("mine", "theirs", "mine");
      }
    }
  }

  private static WriteRequest statusPatch(String node, String pod) {
    ObjectNode body = EventCodec.json().createObjectNode();
    body.putObject("status").put("phase", "Failed");
    return new WriteRequest(
        "w-" + java.util.UUID.randomUUID(),
        node,
        WriteOperation.PATCH,
        new ObjectKey("", "v1", "Pod", "default", pod),
        "status",
        "application/merge-patch+json",
        body,
        "",
        false,
        "forger");
  }

  private static ProducerRecord<String, byte[]> forged(
      CloudEnvironment cloud, WriteRequest request, String signer, byte[] key) {
    ProducerRecord<String, byte[]> record =
        new EventCodec()
            .toRecord(
                cloud.topics.upstream().name(),
                signer,
                KedgeEvent.of(URI.create("/kedge/edge/" + signer), "", request));
    if (key != null) {
      NodeSignatures.sign(signer, key, record.key(), record.value(), record.headers());
    }
    return record;
  }

  private static List<String> deadLetterReasons(CloudEnvironment cloud) {
    List<String> reasons = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                "bootstrap.servers",
                cloud.kafka.bootstrapServers(),
                "isolation.level",
                "read_committed"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(cloud.topics.deadletter().name(), 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      while (consumer.position(tp) < end) {
        consumer
            .poll(Duration.ofMillis(500))
            .forEach(r -> reasons.add(DeadLetter.header(r.headers(), DeadLetter.REASON)));
      }
    }
    return reasons;
  }
}
