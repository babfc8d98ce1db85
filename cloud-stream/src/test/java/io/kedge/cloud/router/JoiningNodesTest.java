package io.kedge.cloud.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResyncRequest;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.WriteRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Nodes join while their topics are being made: nothing is routed to a node before its topic
 * exists; then it gets the broadcast objects and what waits for it (what a pod references before
 * the pod), and a resync it asked for meanwhile is answered after that.
 */
class JoiningNodesTest extends RouterTestBase {
  private final Map<String, CompletableFuture<Void>> making = new HashMap<>();
  private final Map<String, Integer> asked = new HashMap<>();

  @Override
  NodeTopics nodeTopics() {
    return new NodeTopics() {
      @Override
      public void ensure(String node) {
        throw new AssertionError("the router waits for no topic");
      }

      @Override
      public CompletableFuture<Void> ensureAsync(String node) {
        asked.merge(node, 1, Integer::sum);
        CompletableFuture<Void> made = making.get(node);
        if (made == null || made.isCompletedExceptionally()) {
          made = new CompletableFuture<>();
          making.put(node, made);
        }
        return made;
      }

      @Override
      public void released(String node) {}
    };
  }

  @Test
  void aNodeGetsWhatWaitsForItOnceItsTopicExistsAndItsResyncAfter() {
    var service = object("v1", "Service", "default", "web");
    upsert(service);
    upsert(configMap("settings"));
    upsert(pod("web-0", "edge-9", "settings"));
    upsert(node("edge-9"));
    upsert(node("edge-10"));
    KedgeEvent request = KedgeEvent.of(SOURCE, "", new ResyncRequest("edge-9", "r-1", "new"));
    ProducerRecord<String, byte[]> record = codec.toRecord("t", "edge-9", request);
    upstream.pipeInput(new TestRecord<>("edge-9", record.value(), record.headers()));
    driver.advanceWallClockTime(Duration.ofSeconds(1));
    assertThat(received("edge-9")).as("nothing before the topic exists").isEmpty();

    making.get("edge-9").complete(null);
    driver.advanceWallClockTime(Duration.ofMillis(50));

    assertThat(received("edge-9"))
        .containsExactly(
            "upsert Service/web",
            "upsert Node/edge-9",
            "upsert ConfigMap/settings",
            "upsert Pod/web-0",
            "begin",
            "upsert ConfigMap/settings",
            "upsert Node/edge-9",
            "upsert Pod/web-0",
            "upsert Service/web",
            "end 4");
    assertThat(received("edge-10")).as("still joining").isEmpty();

    making.get("edge-10").completeExceptionally(new IllegalStateException("broker busy"));
    driver.advanceWallClockTime(Duration.ofMillis(50));
    org.awaitility.Awaitility.await("asked again a second after a failure")
        .atMost(Duration.ofSeconds(5))
        .until(() -> asked.get("edge-10") == 2);
    making.get("edge-10").complete(null);
    driver.advanceWallClockTime(Duration.ofMillis(50));
    assertThat(received("edge-10")).containsExactly("upsert Service/web", "upsert Node/edge-10");
  }

  /** What node {@code node} asks the cloud to write, as its uplink sends it. */
  private void write(String node, String id, ObjectNode object) {
    ObjectKey key = ObjectKey.of(object);
    WriteRequest request =
        new WriteRequest(id, node, WriteOperation.CREATE, key, "", "", object, "", false, "");
    ProducerRecord<String, byte[]> record =
        codec.toRecord("t", node, KedgeEvent.of(SOURCE, key.toString(), request));
    upstream.pipeInput(new TestRecord<>(record.key(), record.value(), record.headers()));
  }

  @Test
  void theAnswersToANewNodesWritesWaitForItsTopic() {
    // a new node registers itself and renews its lease before its topic exists
    write("edge-11", "register", node("edge-11"));
    ObjectNode lease = object("coordination.k8s.io/v1", "Lease", "kube-node-lease", "edge-11");
    write("edge-11", "lease", lease);
    driver.advanceWallClockTime(Duration.ofSeconds(1));
    assertThat(received("edge-11")).as("nothing before the topic exists").isEmpty();

    making.get("edge-11").complete(null);
    driver.advanceWallClockTime(Duration.ofMillis(50));
    List<String> received = received("edge-11");
    assertThat(received)
        .as("its Node and Lease, then both answers, each once")
        .containsExactly("upsert Node/edge-11", "upsert Lease/edge-11", "answer 201", "answer 201");

    // known now: answers go at once
    write("edge-11", "lease-again", lease);
    assertThat(received("edge-11")).containsExactly("answer 409");
  }
}
