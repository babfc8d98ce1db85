package io.kedge.cloud.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResyncRequest;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.WriteRequest;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node holds what it wrote through its edge API, as a client of kube-apiserver reads back what it
 * created, also where no object on the node needs it.
 */
class WrittenObjectsRoutingTest extends RouterTestBase {
  private static final ObjectKey SETTINGS = ObjectKey.parse("/v1/ConfigMap/default/settings");

  @BeforeEach
  void nodes() {
    twoNodes();
  }

  private void write(String node, String id, WriteOperation op, String patchType, JsonNode body) {
    submit(new WriteRequest(id, node, op, SETTINGS, "", patchType, body, "", false, ""));
  }

  @Test
  void aConfigMapANodeCreatedReachesItBeforeTheAnswerAndFollowsTheCloudsChanges() {
    write("edge-1", "r1", WriteOperation.CREATE, "", configMap("settings"));
    assertThat(received("edge-1")).containsExactly("upsert ConfigMap/settings", "answer 201");
    assertThat(received("edge-2")).isEmpty();

    ObjectNode changed = configMap("settings");
    changed.withObject("data").put("k", "changed in the cloud");
    upsert(changed);
    assertThat(received("edge-1")).containsExactly("upsert ConfigMap/settings");

    // a pod elsewhere uses it and goes: the writer keeps it
    upsert(pod("web", "edge-2", "settings"));
    assertThat(received("edge-2")).containsExactly("upsert ConfigMap/settings", "upsert Pod/web");
    delete(pod("web", "edge-2"));
    assertThat(received("edge-2")).containsExactly("delete Pod/web", "delete ConfigMap/settings");
    assertThat(received("edge-1")).isEmpty();

    // the writer's resync holds it too
    KedgeEvent resync = KedgeEvent.of(SOURCE, "", new ResyncRequest("edge-1", "r-1", "test"));
    ProducerRecord<String, byte[]> record = codec.toRecord("t", "edge-1", resync);
    upstream.pipeInput(new TestRecord<>("edge-1", record.value(), record.headers()));
    assertThat(received("edge-1")).contains("upsert ConfigMap/settings");

    delete(configMap("settings"));
    assertThat(received("edge-1")).containsExactly("delete ConfigMap/settings");

    // created again by another source, no one on edge-1 wrote it since
    upsert(configMap("settings"));
    assertThat(received("edge-1")).isEmpty();
  }

  @Test
  void aNodeThatPatchesAnObjectHoldsItFromThen() {
    upsert(configMap("settings"));
    assertThat(received("edge-2")).isEmpty();
    write(
        "edge-2",
        "r1",
        WriteOperation.PATCH,
        "application/merge-patch+json",
        json("{\"data\":{\"k\":\"from edge-2\"}}"));
    assertThat(received("edge-2")).containsExactly("upsert ConfigMap/settings", "answer 200");
    assertThat(received("edge-1")).isEmpty();
  }

  @Test
  void aRefusedOrDryRunWriteHoldsNothing() {
    upsert(configMap("settings"));
    write("edge-1", "r1", WriteOperation.CREATE, "", configMap("settings"));
    assertThat(received("edge-1")).containsExactly("answer 409");
    submit(
        new WriteRequest(
            "r2",
            "edge-1",
            WriteOperation.PATCH,
            SETTINGS,
            "",
            "application/merge-patch+json",
            json("{\"data\":{\"k\":\"dry\"}}"),
            "",
            true,
            ""));
    assertThat(received("edge-1")).containsExactly("answer 200");
    upsert(configMap("settings"));
    assertThat(received("edge-1")).isEmpty();
  }
}
