package io.kedge.cloud.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.DeadLetter;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.schemas.ResyncRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

class RouterTopologyTest extends RouterTestBase {
  @Test
  void podsGoToTheirNodeAndNodesToThemselves() {
    upsert(node("edge-1"));
    upsert(pod("web", "edge-1"));
    assertThat(createdTopics).containsExactly("kedge.node.edge-1");
    assertThat(received("edge-1")).containsExactly("upsert Node/edge-1", "upsert Pod/web");
  }

  @Test
  void podForAnUnknownNodeWaitsUntilTheNodeAppears() {
    upsert(configMap("cfg"));
    upsert(pod("web", "edge-9", "cfg"));
    upsert(node("edge-9"));
    assertThat(received("edge-9"))
        .containsExactly("upsert Node/edge-9", "upsert ConfigMap/cfg", "upsert Pod/web");
  }

  @Test
  void anUpsertOfTheStoredCloudVersionIsNotRoutedAgain() {
    upsert(node("edge-1"));
    ObjectNode web = pod("web", "edge-1");
    send(new ResourceUpsert(ObjectKey.of(web), "41", web));
    send(new ResourceUpsert(ObjectKey.of(web), "41", web));
    web.withObject("metadata").putObject("labels").put("tier", "front");
    send(new ResourceUpsert(ObjectKey.of(web), "42", web));
    assertThat(received("edge-1"))
        .containsExactly("upsert Node/edge-1", "upsert Pod/web", "upsert Pod/web");
  }

  @Test
  void rescheduleDeletesFromTheOldNode() {
    upsert(node("edge-1"));
    upsert(node("edge-2"));
    upsert(pod("web", "edge-1"));
    upsert(pod("web", "edge-2"));
    assertThat(received("edge-1"))
        .containsExactly("upsert Node/edge-1", "upsert Pod/web", "delete Pod/web");
    assertThat(received("edge-2")).containsExactly("upsert Node/edge-2", "upsert Pod/web");
  }

  @Test
  void configMapsAreReferenceCountedAndArriveBeforeThePod() {
    upsert(node("edge-1"));
    upsert(configMap("cfg"));
    upsert(configMap("unused"));
    upsert(pod("a", "edge-1", "cfg"));
    upsert(pod("b", "edge-1", "cfg"));
    delete(pod("a", "edge-1", "cfg"));
    assertThat(received("edge-1"))
        .containsExactly(
            "upsert Node/edge-1",
            "upsert ConfigMap/cfg",
            "upsert Pod/a",
            "upsert Pod/b",
            "delete Pod/a");
    delete(pod("b", "edge-1", "cfg"));
    assertThat(received("edge-1")).containsExactly("delete Pod/b", "delete ConfigMap/cfg");
    upsert(pod("c", "edge-1", "cfg"));
    upsert(configMap("cfg"));
    delete(configMap("cfg"));
    assertThat(received("edge-1"))
        .containsExactly(
            "upsert ConfigMap/cfg", "upsert Pod/c", "upsert ConfigMap/cfg", "delete ConfigMap/cfg");
  }

  @Test
  void envAndProjectedReferencesCount() {
    upsert(node("edge-1"));
    upsert(object("v1", "Secret", "default", "token"));
    upsert(configMap("env-cm"));
    ObjectNode pod = pod("p", "edge-1");
    var container = pod.path("spec").path("containers").get(0);
    ((ObjectNode) container)
        .putArray("envFrom")
        .addObject()
        .putObject("configMapRef")
        .put("name", "env-cm");
    ((ObjectNode) pod.path("spec"))
        .putArray("volumes")
        .addObject()
        .putObject("projected")
        .putArray("sources")
        .addObject()
        .putObject("secret")
        .put("name", "token");
    upsert(pod);
    assertThat(received("edge-1"))
        .containsExactlyInAnyOrder(
            "upsert Node/edge-1", "upsert Secret/token", "upsert ConfigMap/env-cm", "upsert Pod/p");
  }

  @Test
  void broadcastKindsReachEveryNodeIncludingLaterOnes() {
    upsert(node("edge-1"));
    upsert(object("v1", "Service", "default", "svc"));
    upsert(node("edge-2"));
    assertThat(received("edge-1")).containsExactly("upsert Node/edge-1", "upsert Service/svc");
    assertThat(received("edge-2")).containsExactly("upsert Node/edge-2", "upsert Service/svc");
  }

  @Test
  void devicesFollowTheirNodeSelectorAndModelsFollowDevices() {
    upsert(node("edge-1"));
    upsert(object("devices.kubeedge.io/v1alpha2", "DeviceModel", "default", "thermometer"));
    ObjectNode device = object("devices.kubeedge.io/v1alpha2", "Device", "default", "t1");
    ObjectNode spec = device.putObject("spec");
    spec.putObject("deviceModelRef").put("name", "thermometer");
    spec.putObject("nodeSelector")
        .putArray("nodeSelectorTerms")
        .addObject()
        .putArray("matchExpressions")
        .addObject()
        .put("key", "")
        .put("operator", "In")
        .putArray("values")
        .add("edge-1");
    upsert(device);
    assertThat(received("edge-1"))
        .containsExactly(
            "upsert Node/edge-1", "upsert DeviceModel/thermometer", "upsert Device/t1");
  }

  @Test
  void otherKindsFollowTheNodeLabel() {
    upsert(node("edge-1"));
    ObjectNode widget = object("example.com/v1", "Widget", "default", "w");
    widget.withObject("metadata").putObject("labels").put(Placement.NODE_LABEL, "edge-1");
    upsert(widget);
    upsert(object("example.com/v1", "Widget", "default", "unlabelled"));
    assertThat(received("edge-1")).containsExactly("upsert Node/edge-1", "upsert Widget/w");
  }

  @Test
  void resyncSendsEverythingTheNodeHoldsBetweenMarkers() {
    upsert(node("edge-1"));
    upsert(configMap("cfg"));
    upsert(pod("web", "edge-1", "cfg"));
    upsert(object("v1", "Service", "default", "svc"));
    received("edge-1");

    resync("edge-1", "r-1");

    List<String> lines = received("edge-1");
    assertThat(lines.get(0)).isEqualTo("begin");
    assertThat(lines.get(lines.size() - 1)).isEqualTo("end 4");
    assertThat(lines.subList(1, lines.size() - 1))
        .containsExactlyInAnyOrder(
            "upsert Node/edge-1", "upsert ConfigMap/cfg", "upsert Pod/web", "upsert Service/svc");
    assertThat(lines.indexOf("upsert ConfigMap/cfg")).isLessThan(lines.indexOf("upsert Pod/web"));
  }

  @Test
  void aResyncReadsOnlyWhatItsNodeHoldsHoweverMuchOtherNodesHold() {
    upsert(node("edge-1"));
    upsert(node("edge-2"));
    upsert(configMap("cfg"));
    upsert(pod("web", "edge-1", "cfg"));
    upsert(object("v1", "Service", "default", "svc"));

    long before = resyncReads();
    resync("edge-1", "r-alone");
    long alone = resyncReads() - before;
    // node, configmap, pod, service: each scanned, checked for referrers and loaded
    assertThat(alone).isEqualTo(4 * 3);

    for (int i = 0; i < 200; i++) {
      upsert(configMap("other-" + i));
      upsert(pod("other-" + i, "edge-2", "other-" + i));
    }
    before = resyncReads();
    resync("edge-1", "r-crowded");
    assertThat(resyncReads() - before).isEqualTo(alone);

    before = resyncReads();
    resync("edge-2", "r-other");
    assertThat(resyncReads() - before).as("edge-2 holds 402 objects").isEqualTo(402 * 3);
  }

  private void resync(String node, String id) {
    KedgeEvent request = KedgeEvent.of(SOURCE, "", new ResyncRequest(node, id, "test"));
    ProducerRecord<String, byte[]> record = codec.toRecord("t", node, request);
    upstream.pipeInput(new TestRecord<>(node, record.value(), record.headers()));
  }

  private long resyncReads() {
    return ResyncAnswer.reads(driver.metrics());
  }

  @Test
  void aResyncListsWhatTheNodeHoldsNowAfterMovesAndDeletes() {
    upsert(node("edge-1"));
    upsert(node("edge-2"));
    upsert(configMap("old"));
    upsert(configMap("new"));
    upsert(pod("gone", "edge-1", "old"));
    ObjectNode widget = object("example.com/v1", "Widget", "default", "w");
    widget.withObject("metadata").putObject("labels").put(Placement.NODE_LABEL, "edge-1");
    upsert(widget);
    upsert(pod("stays", "edge-1", "new"));
    upsert(object("v1", "Service", "default", "kept"));
    upsert(object("v1", "Service", "default", "dropped"));
    delete(pod("gone", "edge-1", "old"));
    widget.withObject("metadata").withObject("labels").put(Placement.NODE_LABEL, "edge-2");
    upsert(widget);
    delete(object("v1", "Service", "default", "dropped"));
    received("edge-1");

    resync("edge-1", "r-2");

    assertThat(received("edge-1"))
        .containsExactly(
            "begin",
            "upsert ConfigMap/new",
            "upsert Node/edge-1",
            "upsert Pod/stays",
            "upsert Service/kept",
            "end 4");
  }

  @Test
  void poisonGoesToTheDeadLetterTopicWithItsCoordinatesAndRoutingContinues() {
    RecordHeaders headers = new RecordHeaders();
    headers.add("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8));
    headers.add("ce_type", "io.kedge.resource.upsert.v9".getBytes(StandardCharsets.UTF_8));
    headers.add("ce_id", "x".getBytes(StandardCharsets.UTF_8));
    headers.add("ce_source", "/x".getBytes(StandardCharsets.UTF_8));
    resources.pipeInput(
        new TestRecord<>("bad-key", "{}".getBytes(StandardCharsets.UTF_8), headers));
    upsert(node("edge-1"));

    var dlq =
        driver.createOutputTopic(
            topics.deadletter().name(), new StringDeserializer(), new ByteArrayDeserializer());
    TestRecord<String, byte[]> dead = dlq.readRecord();
    assertThat(dead.key()).isEqualTo("bad-key");
    assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("{}");
    assertThat(DeadLetter.header(dead.headers(), DeadLetter.SOURCE_TOPIC))
        .isEqualTo("kedge.resources");
    assertThat(DeadLetter.header(dead.headers(), DeadLetter.SOURCE_OFFSET)).isEqualTo("0");
    assertThat(DeadLetter.header(dead.headers(), DeadLetter.REASON)).contains("major version 9");
    assertThat(received("edge-1")).containsExactly("upsert Node/edge-1");
  }
}
