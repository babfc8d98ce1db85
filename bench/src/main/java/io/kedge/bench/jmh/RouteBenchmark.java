package io.kedge.bench.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.cloud.router.Placement;
import io.kedge.cloud.router.RouterTopology;
import io.kedge.schemas.ObjectKey;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The router's decision for one pod, from the object alone: its placement rule, the node it goes
 * to, and the ConfigMaps and Secrets it references (which then follow it). The stores and sinks
 * around it are measured end to end by {@code kedge bench router}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RouteBenchmark {
  private final Placement placement = new Placement(RouterTopology.DEFAULT_BROADCAST_KINDS);
  private ObjectNode pod;
  private ObjectKey key;

  @Setup
  public void setUp() {
    pod = Samples.pod(1);
    ObjectNode spec = (ObjectNode) pod.get("spec");
    spec.putArray("volumes")
        .addObject()
        .put("name", "config")
        .putObject("configMap")
        .put("name", "web-config");
    ((ObjectNode) spec.get("containers").get(0))
        .putArray("envFrom")
        .addObject()
        .putObject("secretRef")
        .put("name", "web-token");
    key = ObjectKey.of(pod);
  }

  @Benchmark
  public void decide(Blackhole out) {
    Placement.Rule rule = placement.rule(key);
    Set<String> nodes = placement.directNodes(key, pod);
    Set<ObjectKey> references = placement.references(key, pod);
    out.consume(rule);
    out.consume(nodes);
    out.consume(references);
  }
}
