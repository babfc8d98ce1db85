package io.kedge.cloud.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.kube.authorization.NodeWriteRules;
import io.kedge.schemas.DeadLetter;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.WriteRequest;
import io.kedge.schemas.WriteResponse;
import io.kedge.schemas.authorization.NodeSignatures;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cloud accepts from node X only what X signed about itself, and applies only what is X's to
 * write: a forged or unsigned request is dead-lettered with the node it claims and the node that
 * sent it, counted, and never applied or answered; a signed request outside NodeRestriction is
 * answered 403 to its node.
 */
class UpstreamTrustTest extends RouterTestBase {
  private static final byte[] SECRET = new byte[32];

  static {
    Arrays.fill(SECRET, (byte) 42);
  }

  private final byte[] edge1Key = NodeSignatures.nodeKey(SECRET, "edge-1");
  private final java.util.Map<String, Long> keyGenerations =
      new java.util.concurrent.ConcurrentHashMap<>();

  @Override
  @BeforeEach
  void start() {
    trust =
        NodeTrust.of(SECRET, node -> keyGenerations.getOrDefault(node, 0L), NodeWriteRules.NONE);
    super.start();
    upsert(node("edge-1"));
    upsert(node("edge-2"));
    upsert(pod("mine", "edge-1"));
    upsert(pod("theirs", "edge-2"));
    received("edge-1");
    received("edge-2");
  }

  private static WriteRequest statusPatch(String node, String pod) {
    ObjectNode body = EventCodec.json().createObjectNode();
    body.putObject("status").put("phase", "Failed");
    return new WriteRequest(
        "w-" + UUID.randomUUID(),
        node,
        WriteOperation.PATCH,
        new ObjectKey("", "v1", "Pod", "default", pod),
        "status",
        "application/merge-patch+json",
        body,
        "",
        false,
        "kubelet");
  }

  /** Sends {@code request} as the node {@code signer} with {@code key} (null: unsigned). */
  private void sendSigned(WriteRequest request, String signer, byte[] key) {
    sendSignedWith(request, signer, key == null ? null : new NodeSignatures.NodeKey(key, 0));
  }

  private void sendSignedWith(WriteRequest request, String signer, NodeSignatures.NodeKey key) {
    ProducerRecord<String, byte[]> record =
        codec.toRecord("t", signer, KedgeEvent.of(SOURCE, "", request));
    if (key != null) {
      key.sign(signer, record.key(), record.value(), record.headers());
    }
    upstream.pipeInput(new TestRecord<>(record.key(), record.value(), record.headers()));
  }

  @Test
  void aKeyReplacedByANewGenerationIsRefusedAndTheNewOneApplies() {
    keyGenerations.put("edge-1", 1L);
    sendSigned(statusPatch("edge-1", "mine"), "edge-1", edge1Key);
    assertThat(deadLetterReasons())
        .containsExactly(
            "revoked-key: it is signed with generation 0 of node edge-1's key, which was replaced"
                + " by generation 1; it claims node edge-1");
    assertThat(trust.rejections().total("revoked-key")).isEqualTo(1);
    assertThat(storedPod("mine").at("/status/phase").asText()).isEqualTo("Pending"); // as created

    sendSignedWith(
        statusPatch("edge-1", "mine"),
        "edge-1",
        new NodeSignatures.NodeKey(NodeSignatures.nodeKey(SECRET, "edge-1", 1), 1));
    assertThat(storedPod("mine").at("/status/phase").asText()).isEqualTo("Failed");
    assertThat(trust.rejections().total("revoked-key")).isEqualTo(1);
  }

  private List<String> deadLetterReasons() {
    return driver
        .createOutputTopic(
            topics.deadletter().name(), new StringDeserializer(), new ByteArrayDeserializer())
        .readRecordsToList()
        .stream()
        .map(r -> DeadLetter.header(r.headers(), DeadLetter.REASON))
        .toList();
  }

  private String phase(String pod) {
    return storedPod(pod).at("/status/phase").asText("");
  }

  private ObjectNode storedPod(String pod) {
    byte[] bytes =
        driver
            .<String, byte[]>getKeyValueStore(RouteProcessor.OBJECTS)
            .get(Placement.identity(new ObjectKey("", "v1", "Pod", "default", pod)));
    return ((ResourceUpsert) codec.decodeData(io.kedge.schemas.EventType.RESOURCE_UPSERT, bytes))
        .object();
  }

  @Test
  void aNodesSignedWriteAboutItselfIsApplied() {
    sendSigned(statusPatch("edge-1", "mine"), "edge-1", edge1Key);
    assertThat(received("edge-1")).containsExactly("upsert Pod/mine", "answer 200");
    assertThat(phase("mine")).isEqualTo("Failed");
    assertThat(trust.rejections().total("forbidden")).isZero();
  }

  @Test
  void aNodeWritingAsAnotherNodeIsRefusedCountedAndDeadLettered() {
    // edge-1's credentials, a request that says it comes from edge-2 (whose pod it is)
    sendSigned(statusPatch("edge-2", "theirs"), "edge-1", edge1Key);
    // edge-1's key, signing in edge-2's name
    sendSigned(statusPatch("edge-2", "theirs"), "edge-2", edge1Key);
    // no signature at all
    sendSigned(statusPatch("edge-2", "theirs"), "edge-2", null);

    assertThat(deadLetterReasons())
        .containsExactly(
            "node-mismatch: it claims node edge-2, but node edge-1 signed it",
            "bad-signature: the signature is not node edge-2's; it claims node edge-2, its real"
                + " node is unknown",
            "unsigned: the record carries no node signature; it claims node edge-2, its real node"
                + " is unknown");
    assertThat(trust.rejections().total("node-mismatch")).isEqualTo(1);
    assertThat(trust.rejections().total("bad-signature")).isEqualTo(1);
    assertThat(trust.rejections().total("unsigned")).isEqualTo(1);
    assertThat(received("edge-2")).as("nothing applied, nothing answered").isEmpty();
    assertThat(received("edge-1")).isEmpty();
    assertThat(storedPod("theirs").at("/status/phase").asText()).isEqualTo("Pending"); // as created
  }

  @Test
  void aSignedWriteThatIsNotTheNodesIsAnswered403AndNotApplied() {
    // skips its edge API's own check: a request straight onto the upstream topic
    sendSigned(statusPatch("edge-1", "theirs"), "edge-1", edge1Key);
    ObjectNode label = EventCodec.json().createObjectNode();
    label.putObject("metadata").putObject("labels").put("x", "y");
    sendSigned(
        new WriteRequest(
            "w-secret",
            "edge-1",
            WriteOperation.CREATE,
            new ObjectKey("", "v1", "Secret", "default", "db"),
            "",
            "",
            object("v1", "Secret", "default", "db"),
            "",
            false,
            ""),
        "edge-1",
        edge1Key);

    List<WriteResponse> answers =
        driver
            .createOutputTopic(
                topics.node("edge-1").name(),
                new StringDeserializer(),
                new io.kedge.schemas.KedgeEventSerde(codec).deserializer())
            .readValuesToList()
            .stream()
            .map(e -> (WriteResponse) e.data())
            .toList();
    assertThat(answers).extracting(WriteResponse::code).containsExactly(403, 403);
    assertThat(answers.get(0).body().path("message").asText())
        .isEqualTo(
            "pods \"theirs\" is forbidden: node \"edge-1\" can only update pod status for pods"
                + " with spec.nodeName set to itself");
    assertThat(answers.get(1).body().path("message").asText())
        .startsWith("secrets \"db\" is forbidden: node \"edge-1\" may write only its own objects");
    assertThat(trust.rejections().total("forbidden")).isEqualTo(2);
    assertThat(storedPod("theirs").at("/status/phase").asText()).isEqualTo("Pending"); // as created
    assertThat(
            driver
                .<String, byte[]>getKeyValueStore(RouteProcessor.OBJECTS)
                .get(Placement.identity(new ObjectKey("", "v1", "Secret", "default", "db"))))
        .isNull();
  }
}
