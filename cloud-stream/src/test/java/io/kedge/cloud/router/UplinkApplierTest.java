package io.kedge.cloud.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.DeadLetter;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.KedgeEventSerde;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.WriteRequest;
import io.kedge.schemas.WriteResponse;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The standalone UPLINK APPLIER: edge writes applied to kedge.resources and answered. */
class UplinkApplierTest extends RouterTestBase {
  private static final ObjectKey WEB = ObjectKey.parse("/v1/Pod/default/web");

  @BeforeEach
  void nodes() {
    twoNodes();
  }

  private void write(String id, WriteOperation op, String sub, String patchType, JsonNode body) {
    WriteRequest request =
        new WriteRequest(id, "edge-1", op, WEB, sub, patchType, body, "", false, "");
    submit(request);
  }

  private List<WriteResponse> answers(String node) {
    return driver
        .createOutputTopic(
            topics.node(node).name(),
            new StringDeserializer(),
            new KedgeEventSerde(codec).deserializer())
        .readValuesToList()
        .stream()
        .map(KedgeEvent::data)
        .filter(WriteResponse.class::isInstance)
        .map(WriteResponse.class::cast)
        .toList();
  }

  private void create(String id) {
    write(id, WriteOperation.CREATE, "", "", pod("web", "edge-1"));
  }

  @Test
  void aCreateIsStoredRoutedAndAnsweredWithTheObjectAtItsOffset() {
    create("r1");
    List<WriteResponse> answers = answers("edge-1");
    assertThat(answers).hasSize(1);
    WriteResponse answer = answers.get(0);
    assertThat(answer.requestId()).isEqualTo("r1");
    assertThat(answer.code()).isEqualTo(201);
    String version = answer.body().at("/metadata/resourceVersion").asText();
    assertThat(Long.parseLong(version)).isEqualTo(2); // offsets 0, 1: the two Nodes
    assertThat(answer.body().at("/metadata/uid").asText()).isNotEmpty();
    // as kube-apiserver creates a Pod: Pending, with its QoS class
    assertThat(answer.body().at("/status/phase").asText()).isEqualTo("Pending");
    assertThat(answer.body().at("/status/qosClass").asText()).isEqualTo("BestEffort");

    var stored =
        driver.createOutputTopic(
            topics.resources().name(), new StringDeserializer(), new ByteArrayDeserializer());
    var record = stored.readRecord();
    assertThat(record.key()).isEqualTo(WEB.toString());
    assertThat(DeadLetter.header(record.headers(), WriteOrigin.REQUEST)).isEqualTo("r1");
  }

  @Test
  void theObjectReachesItsNodeBeforeTheAnswer() {
    create("r1");
    assertThat(received("edge-1")).containsExactly("upsert Pod/web", "answer 201");
  }

  @Test
  void aRepeatedRequestIdIsAppliedAndAnsweredOnce() {
    create("r1");
    create("r1");
    assertThat(received("edge-1")).containsExactly("upsert Pod/web", "answer 201");
  }

  @Test
  void conflictsAndMissingObjectsGetTheirKubernetesCodes() {
    write("r0", WriteOperation.PATCH, "", "application/merge-patch+json", json("{}"));
    create("r1");
    create("r2");
    ObjectNode stale = pod("web", "edge-1");
    stale.withObject("metadata").put("resourceVersion", "1");
    write("r3", WriteOperation.UPDATE, "", "", stale);
    List<WriteResponse> answers = answers("edge-1");
    assertThat(answers).extracting(WriteResponse::code).containsExactly(404, 201, 409, 409);
    assertThat(answers.get(2).body().path("reason").asText()).isEqualTo("AlreadyExists");
    assertThat(answers.get(3).body().path("reason").asText()).isEqualTo("Conflict");
  }

  @Test
  void anUpdateAtTheCurrentVersionAppliesAndAStatusPatchChangesOnlyStatus() {
    create("r1");
    String version = answers("edge-1").get(0).body().at("/metadata/resourceVersion").asText();
    ObjectNode labelled = pod("web", "edge-1");
    labelled.withObject("metadata").put("resourceVersion", version);
    labelled.withObject("metadata").putObject("labels").put("tier", "front");
    write("r2", WriteOperation.UPDATE, "", "", labelled);
    write(
        "r3",
        WriteOperation.PATCH,
        "status",
        "application/merge-patch+json",
        json("{\"status\":{\"phase\":\"Running\"},\"spec\":{\"nodeName\":\"edge-2\"}}"));
    List<WriteResponse> answers = answers("edge-1");
    assertThat(answers).extracting(WriteResponse::code).containsExactly(200, 200);
    JsonNode last = answers.get(1).body();
    assertThat(last.at("/metadata/labels/tier").asText()).isEqualTo("front");
    assertThat(last.at("/status/phase").asText()).isEqualTo("Running");
    assertThat(last.at("/spec/nodeName").asText()).isEqualTo("edge-1");
    assertThat(Long.parseLong(last.at("/metadata/resourceVersion").asText()))
        .isGreaterThan(Long.parseLong(version));
  }

  @Test
  void aDeleteIsRoutedAndAnswered() {
    create("r1");
    write("r2", WriteOperation.DELETE, "", "", null);
    assertThat(received("edge-1"))
        .containsExactly("upsert Pod/web", "answer 201", "delete Pod/web", "answer 200");
  }

  @Test
  void aDryRunChangesNothing() {
    WriteRequest request =
        new WriteRequest(
            "r1", "edge-1", WriteOperation.CREATE, WEB, "", "", pod("web", "edge-1"), "", true, "");
    submit(request);
    assertThat(received("edge-1")).containsExactly("answer 201");
    assertThat(
            driver
                .createOutputTopic(
                    topics.resources().name(),
                    new StringDeserializer(),
                    new ByteArrayDeserializer())
                .isEmpty())
        .isTrue();
  }

  @Test
  void aWriteFromAnUnknownNodeIsAppliedButNotAnswered() {
    WriteRequest request =
        new WriteRequest(
            "r1", "ghost", WriteOperation.CREATE, WEB, "", "", pod("web", "edge-1"), "", false, "");
    submit(request);
    assertThat(received("edge-1")).containsExactly("upsert Pod/web");
    create("r2");
    assertThat(answers("edge-1")).extracting(WriteResponse::code).containsExactly(409);
  }

  @Test
  void anInvalidWriteRequestIsDeadLetteredAndTheApplierGoesOn() {
    RecordHeaders headers = new RecordHeaders();
    headers.add("ce_specversion", "1.0".getBytes());
    headers.add("ce_type", "io.kedge.write.request.v1".getBytes());
    headers.add("ce_id", "x".getBytes());
    headers.add("ce_source", "/x".getBytes());
    upstream.pipeInput(new TestRecord<>("edge-1", "{\"nope\":1}".getBytes(), headers));
    create("r1");
    var dead =
        driver
            .createOutputTopic(
                topics.deadletter().name(), new StringDeserializer(), new ByteArrayDeserializer())
            .readRecordsToList();
    assertThat(dead).hasSize(1);
    assertThat(DeadLetter.header(dead.get(0).headers(), DeadLetter.COMPONENT)).isEqualTo("applier");
    assertThat(answers("edge-1")).extracting(WriteResponse::code).containsExactly(201);
  }
}
