package io.kedge.bench.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.kube.authorization.NodeRestriction;
import io.kedge.kube.authorization.NodeWriteRules;
import io.kedge.kube.objects.ObjectWrites;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.WriteRequest;
import io.kedge.schemas.authorization.NodeSignatures;
import java.net.URI;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * An edge write as the cloud's applier meets it: checking its node's signature (a verifier that
 * already derived the node's key, as for every node after its first record), decoding the write
 * request from the uplink, deciding whether the node may make it, and applying a strategic merge
 * patch (kubectl apply's) to the stored pod.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class WriteBenchmark {
  private final EventCodec codec = new EventCodec();
  private final Instant now = Instant.parse("2026-11-26T10:00:00Z");
  private RecordHeaders headers;
  private byte[] value;
  private WriteRequest request;
  private ObjectNode stored;
  private final NodeSignatures.Verifier verifier = new NodeSignatures.Verifier(new byte[32]);
  private final NodeRestriction restriction = new NodeRestriction(NodeWriteRules.NONE);

  @Setup
  public void setUp() {
    stored = Samples.pod(1);
    ObjectNode patch = EventCodec.json().createObjectNode();
    patch.putObject("metadata").putObject("labels").put("tier", "back");
    patch
        .putObject("spec")
        .putArray("containers")
        .addObject()
        .put("name", "app")
        .put("image", "registry.example.com/web:1.5.0");
    request =
        new WriteRequest(
            "edge-1-42",
            "edge-1",
            WriteOperation.PATCH,
            ObjectKey.of(stored),
            "",
            "application/strategic-merge-patch+json",
            patch,
            "",
            false,
            "kubectl");
    headers = new RecordHeaders();
    value = codec.encode(KedgeEvent.of(URI.create("/bench"), "edge-1-42", request), headers);
    NodeSignatures.sign(
        "edge-1", NodeSignatures.nodeKey(new byte[32], "edge-1"), "edge-1", value, headers);
    verifier.verify("edge-1", value, headers);
  }

  @Benchmark
  public Object verifySignature() {
    return verifier.verify("edge-1", value, headers);
  }

  @Benchmark
  public Object authorize() {
    return restriction.forbidden("edge-1", request, stored, key -> null);
  }

  @Benchmark
  public Object decodeRequest() {
    return codec.decode(headers, value).data();
  }

  @Benchmark
  public ObjectWrites.Outcome applyStrategicPatch() {
    return ObjectWrites.apply(request, stored, "1001", now);
  }
}
