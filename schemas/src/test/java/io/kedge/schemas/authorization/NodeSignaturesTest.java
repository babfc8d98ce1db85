package io.kedge.schemas.authorization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** Upstream records signed by their node, and every way a forged one is found out. */
class NodeSignaturesTest {
  private static final byte[] SECRET = new byte[32];

  static {
    Arrays.fill(SECRET, (byte) 7);
  }

  private final NodeSignatures.Verifier verifier = new NodeSignatures.Verifier(SECRET);
  private final byte[] value = "{\"node\":\"edge-1\"}".getBytes(StandardCharsets.UTF_8);

  private Headers signedBy(String node, byte[] key) {
    Headers headers = new RecordHeaders();
    headers.add("ce_type", "io.kedge.write-request.v1".getBytes(StandardCharsets.UTF_8));
    headers.add("ce_source", ("/kedge/edge/" + node).getBytes(StandardCharsets.UTF_8));
    NodeSignatures.sign(node, key, node, value, headers);
    return headers;
  }

  @Test
  void aRecordSignedWithItsNodesKeyNamesThatNode() {
    Headers headers = signedBy("edge-1", NodeSignatures.nodeKey(SECRET, "edge-1"));
    assertThat(verifier.verify("edge-1", value, headers))
        .isEqualTo(new NodeSignatures.Signed("edge-1"));
  }

  @Test
  void forgeriesAreRefused() {
    byte[] edge1 = NodeSignatures.nodeKey(SECRET, "edge-1");
    assertThat(edge1).isNotEqualTo(NodeSignatures.nodeKey(SECRET, "edge-2"));

    // edge-1's key signing as edge-2
    assertThat(verifier.verify("edge-2", value, signedBy("edge-2", edge1)))
        .isInstanceOfSatisfying(
            NodeSignatures.Refused.class,
            r -> {
              assertThat(r.reason()).isEqualTo("bad-signature");
              assertThat(r.claimed()).isEqualTo("edge-2");
            });

    // a signed record whose value, type or signer was changed afterwards
    Headers headers = signedBy("edge-1", edge1);
    byte[] changed = "{\"node\":\"edge-2\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(verifier.verify("edge-1", changed, headers))
        .isInstanceOf(NodeSignatures.Refused.class);
    Headers retyped = signedBy("edge-1", edge1);
    retyped.remove("ce_type");
    retyped.add("ce_type", "io.kedge.resync-request.v1".getBytes(StandardCharsets.UTF_8));
    assertThat(verifier.verify("edge-1", value, retyped))
        .isInstanceOf(NodeSignatures.Refused.class);
    Headers renamed = signedBy("edge-1", edge1);
    renamed.remove(NodeSignatures.NODE_HEADER);
    renamed.add(NodeSignatures.NODE_HEADER, "edge-2".getBytes(StandardCharsets.UTF_8));
    assertThat(verifier.verify("edge-1", value, renamed))
        .isInstanceOfSatisfying(
            NodeSignatures.Refused.class, r -> assertThat(r.reason()).isEqualTo("bad-signature"));

    // a key from another secret
    byte[] otherSecret = new byte[32];
    assertThat(
            verifier.verify(
                "edge-1", value, signedBy("edge-1", NodeSignatures.nodeKey(otherSecret, "edge-1"))))
        .isInstanceOf(NodeSignatures.Refused.class);

    // no signature at all
    assertThat(verifier.verify("edge-1", value, new RecordHeaders()))
        .isInstanceOfSatisfying(
            NodeSignatures.Refused.class, r -> assertThat(r.reason()).isEqualTo("unsigned"));
  }

  @Test
  void aNewKeyGenerationRevokesTheOldKeysOfThatNodeOnly() {
    java.util.Map<String, Long> current = new java.util.HashMap<>();
    NodeSignatures.Verifier rotating =
        new NodeSignatures.Verifier(SECRET, n -> current.getOrDefault(n, 0L));
    byte[] first = NodeSignatures.nodeKey(SECRET, "edge-1");
    byte[] second = NodeSignatures.nodeKey(SECRET, "edge-1", 2);
    assertThat(second)
        .isNotEqualTo(first)
        .isNotEqualTo(NodeSignatures.nodeKey(SECRET, "edge-1", 1));
    assertThat(NodeSignatures.nodeKey(SECRET, "edge-1", 0)).isEqualTo(first);

    Headers old = signedBy("edge-1", first);
    Headers renewed = signedWith("edge-1", second, 2);
    assertThat(rotating.verify("edge-1", value, old))
        .isEqualTo(new NodeSignatures.Signed("edge-1"));
    // a key newer than the cloud has heard of: only the secret's holder could derive it
    assertThat(rotating.verify("edge-1", value, renewed))
        .isEqualTo(new NodeSignatures.Signed("edge-1"));

    current.put("edge-1", 2L);
    assertThat(rotating.verify("edge-1", value, old))
        .isInstanceOfSatisfying(
            NodeSignatures.Refused.class,
            r -> {
              assertThat(r.reason()).isEqualTo("revoked-key");
              assertThat(r.detail())
                  .isEqualTo(
                      "it is signed with generation 0 of node edge-1's key, which was replaced by"
                          + " generation 2");
            });
    assertThat(rotating.verify("edge-1", value, renewed))
        .isEqualTo(new NodeSignatures.Signed("edge-1"));
    assertThat(
            rotating.verify(
                "edge-2", value, signedBy("edge-2", NodeSignatures.nodeKey(SECRET, "edge-2"))))
        .isEqualTo(new NodeSignatures.Signed("edge-2"));

    // the old key claiming the new generation, and the generation changed after signing
    assertThat(rotating.verify("edge-1", value, signedWith("edge-1", first, 2)))
        .isInstanceOfSatisfying(
            NodeSignatures.Refused.class, r -> assertThat(r.reason()).isEqualTo("bad-signature"));
    Headers regenerated = signedWith("edge-1", NodeSignatures.nodeKey(SECRET, "edge-1", 3), 3);
    regenerated.remove(NodeSignatures.GENERATION_HEADER);
    regenerated.add(NodeSignatures.GENERATION_HEADER, "4".getBytes(StandardCharsets.UTF_8));
    assertThat(rotating.verify("edge-1", value, regenerated))
        .isInstanceOfSatisfying(
            NodeSignatures.Refused.class, r -> assertThat(r.reason()).isEqualTo("bad-signature"));
    Headers garbled = signedWith("edge-1", second, 2);
    garbled.remove(NodeSignatures.GENERATION_HEADER);
    garbled.add(NodeSignatures.GENERATION_HEADER, "two".getBytes(StandardCharsets.UTF_8));
    assertThat(rotating.verify("edge-1", value, garbled))
        .isInstanceOfSatisfying(
            NodeSignatures.Refused.class, r -> assertThat(r.reason()).isEqualTo("bad-signature"));
  }

  @Test
  void madeUpNodesAndGenerationsCostNoMemory() {
    byte[] wrong = NodeSignatures.nodeKey(new byte[32], "edge-1");
    for (int n = 0; n < 1_000; n++) {
      assertThat(verifier.verify("edge-" + n, value, signedWith("edge-" + n, wrong, n)))
          .isInstanceOf(NodeSignatures.Refused.class);
    }
    assertThat(verifier.keysHeld()).isZero();
    verifier.verify("edge-1", value, signedBy("edge-1", NodeSignatures.nodeKey(SECRET, "edge-1")));
    assertThat(verifier.keysHeld()).isEqualTo(1);
  }

  private Headers signedWith(String node, byte[] key, long generation) {
    Headers headers = new RecordHeaders();
    headers.add("ce_type", "io.kedge.write-request.v1".getBytes(StandardCharsets.UTF_8));
    NodeSignatures.sign(node, key, generation, node, value, headers);
    return headers;
  }

  @Test
  void keyFilesHoldBase64OfAtLeast32Bytes() {
    byte[] key = NodeSignatures.nodeKey(SECRET, "edge-1");
    assertThat(NodeSignatures.decode(NodeSignatures.encode(key) + "\n")).isEqualTo(key);
    assertThatThrownBy(() -> NodeSignatures.decode("c2hvcnQ="))
        .hasMessage("must hold at least 32 bytes, not 5");
    assertThatThrownBy(() -> NodeSignatures.decode("not base64!"))
        .hasMessageStartingWith("must be base64");
  }
}
