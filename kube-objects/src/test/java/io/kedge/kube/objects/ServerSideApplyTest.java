package io.kedge.kube.objects;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.WriteRequest;
import java.time.Instant;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** Server-side apply and managed fields, decided as kube-apiserver decides them. */
class ServerSideApplyTest {
  private static final ObjectKey WIDGET = ObjectKey.parse("example.io/v1/Widget/default/web");
  private static final Instant T1 = Instant.parse("2026-12-01T10:00:00Z");
  private static final Instant T2 = Instant.parse("2026-12-01T11:00:00Z");
  private int version = 10;

  private static ObjectNode json(String singleQuoted) {
    return TestJson.object(singleQuoted);
  }

  private ObjectWrites.Outcome apply(
      ObjectNode current, String manager, boolean force, String config) {
    WriteRequest request =
        new WriteRequest(
            "r-" + version,
            "edge-1",
            WriteOperation.PATCH,
            WIDGET,
            "",
            ServerSideApply.APPLY_PATCH,
            json(config),
            "",
            false,
            manager,
            force);
    return ObjectWrites.apply(request, current, Integer.toString(++version), T1);
  }

  private ObjectWrites.Outcome mergePatch(ObjectNode current, String manager, String patch) {
    WriteRequest request =
        new WriteRequest(
            "r-" + version,
            "edge-1",
            WriteOperation.PATCH,
            WIDGET,
            "",
            "application/merge-patch+json",
            json(patch),
            "",
            false,
            manager);
    return ObjectWrites.apply(request, current, Integer.toString(++version), T2);
  }

  private static ObjectNode stored(ObjectWrites.Outcome outcome) {
    assertThat(outcome.change())
        .as(outcome.body().toString())
        .isInstanceOf(ObjectWrites.Upsert.class);
    return ((ObjectWrites.Upsert) outcome.change()).object();
  }

  private static List<String> managers(ObjectNode object) {
    return StreamSupport.stream(object.at("/metadata/managedFields").spliterator(), false)
        .map(e -> e.path("manager").asText() + "/" + e.path("operation").asText())
        .toList();
  }

  private static final String WEB =
      "{'apiVersion':'example.io/v1','kind':'Widget','metadata':{'name':'web','labels':{'app':'web','tier':'front'}},"
          + "'spec':{'containers':[{'name':'app','image':'nginx:1'},{'name':'log','image':'fluent:1'}]}}";

  @Test
  void applyCreatesAndRecordsTheManagersFields() {
    ObjectWrites.Outcome created = apply(null, "kubectl", false, WEB);
    assertThat(created.code()).isEqualTo(201);
    ObjectNode pod = stored(created);
    assertThat(pod.at("/metadata/uid").asText()).isNotEmpty();
    JsonNode entry = pod.at("/metadata/managedFields/0");
    assertThat(entry.path("manager").asText()).isEqualTo("kubectl");
    assertThat(entry.path("operation").asText()).isEqualTo("Apply");
    assertThat(entry.path("fieldsType").asText()).isEqualTo("FieldsV1");
    assertThat(entry.at("/fieldsV1/f:metadata/f:labels/f:app").isObject()).isTrue();
    assertThat(entry.at("/fieldsV1/f:spec/f:containers").has("k:{\"name\":\"app\"}")).isTrue();
    assertThat(entry.at("/fieldsV1/f:spec/f:containers/k:{\"name\":\"app\"}/f:image").isObject())
        .isTrue();

    ObjectWrites.Outcome again = apply(pod, "kubectl", false, WEB);
    assertThat(again.code()).isEqualTo(200);
    assertThat(again.change())
        .as("the same apply again changes nothing")
        .isInstanceOf(ObjectWrites.None.class);
  }

  @Test
  void aFieldAnotherManagerSetConflictsUnlessForced() {
    ObjectNode pod = stored(apply(null, "kubectl", false, WEB));
    ObjectNode relabelled =
        stored(mergePatch(pod, "kubectl-label", "{'metadata':{'labels':{'tier':'back'}}}"));
    assertThat(managers(relabelled))
        .containsExactlyInAnyOrder("kubectl/Apply", "kubectl-label/Update");
    assertThat(relabelled.at("/metadata/managedFields").toString())
        .as("the label moved to its new writer")
        .doesNotContain(
            "\"kubectl\",\"operation\":\"Apply\",\"apiVersion\":\"v1\",\"time\":\"2026-12-01T10:00:00Z\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:metadata\":{\"f:labels\":{\"f:app\":{},\"f:tier\"");

    String newImage = WEB.replace("nginx:1", "nginx:2");
    ObjectNode reapplied =
        stored(
            apply(
                relabelled, "kubectl", false, newImage.replace("'tier':'front'", "'tier':'back'")));
    assertThat(reapplied.at("/spec/containers/0/image").asText())
        .as("the same value is shared, not a conflict")
        .isEqualTo("nginx:2");

    ObjectWrites.Outcome conflict =
        apply(reapplied, "kubectl", false, WEB.replace("'tier':'front'", "'tier':'middle'"));
    assertThat(conflict.code()).isEqualTo(409);
    assertThat(conflict.body().path("reason").asText()).isEqualTo("Conflict");
    assertThat(conflict.body().path("message").asText())
        .startsWith(
            "Apply failed with 1 conflict: conflict with \"kubectl-label\" using example.io/v1")
        .endsWith(": .metadata.labels.tier");
    assertThat(conflict.body().at("/details/causes/0/field").asText())
        .isEqualTo(".metadata.labels.tier");

    ObjectNode forced =
        stored(apply(reapplied, "kubectl", true, WEB.replace("'tier':'front'", "'tier':'middle'")));
    assertThat(forced.at("/metadata/labels/tier").asText()).isEqualTo("middle");
    assertThat(managers(forced))
        .as("kubectl-label owned only the label it lost")
        .containsExactly("kubectl/Apply");
  }

  @Test
  void fieldsNoLongerAppliedAreRemovedUnlessSomeoneElseOwnsThem() {
    ObjectNode pod = stored(apply(null, "kubectl", false, WEB));
    ObjectNode annotated =
        stored(
            mergePatch(
                pod,
                "operator",
                "{'metadata':{'annotations':{'note':'x'},'labels':{'app':'web2'}}}"));
    String lean =
        "{'apiVersion':'example.io/v1','kind':'Widget','metadata':{'name':'web'},"
            + "'spec':{'containers':[{'name':'app','image':'nginx:1'}]}}";
    ObjectNode next = stored(apply(annotated, "kubectl", false, lean));
    assertThat(next.at("/metadata/labels/tier").isMissingNode())
        .as("applied before, now dropped")
        .isTrue();
    assertThat(next.at("/metadata/labels/app").asText())
        .as("the operator changed app, so it is the operator's and stays")
        .isEqualTo("web2");
    assertThat(next.at("/spec/containers").size())
        .as("the log container is no longer applied")
        .isEqualTo(1);
    assertThat(next.at("/metadata/annotations/note").asText()).as("not kubectl's").isEqualTo("x");
  }

  @Test
  void applyNeedsAFieldManagerAndAnIdentity() {
    assertThat(apply(null, "", false, WEB).code()).isEqualTo(422);
    assertThat(apply(null, "kubectl", false, "{'metadata':{'name':'web'}}").code()).isEqualTo(400);
    assertThat(apply(null, "kubectl", false, WEB.replace("'name':'web'", "'name':'other'")).code())
        .isEqualTo(422);
  }

  @Test
  void everyWriteRecordsItsManager() {
    ObjectNode created =
        stored(
            ObjectWrites.apply(
                new WriteRequest(
                    "c",
                    "edge-1",
                    WriteOperation.CREATE,
                    WIDGET,
                    "",
                    "",
                    json(WEB),
                    "",
                    false,
                    "kubectl-create"),
                null,
                "5",
                T1));
    assertThat(managers(created)).containsExactly("kubectl-create/Update");
    ObjectNode status =
        stored(
            ObjectWrites.apply(
                new WriteRequest(
                    "s",
                    "edge-1",
                    WriteOperation.PATCH,
                    WIDGET,
                    "status",
                    "application/merge-patch+json",
                    json("{'status':{'phase':'Running'}}"),
                    "",
                    false,
                    "kubelet"),
                created,
                "6",
                T2));
    assertThat(managers(status)).containsExactly("kubectl-create/Update", "kubelet/Update");
    assertThat(status.at("/metadata/managedFields/1/subresource").asText()).isEqualTo("status");
    assertThat(status.at("/metadata/managedFields/1/fieldsV1/f:status/f:phase").isObject())
        .isTrue();
  }
}
