package io.kedge.kube.objects;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.WriteRequest;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ObjectWritesTest {
  private static final ObjectKey POD = ObjectKey.parse("/v1/Pod/default/web");
  private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");

  private static ObjectNode json(String singleQuoted) {
    return TestJson.object(singleQuoted);
  }

  private static JsonNode anyJson(String text) {
    try {
      return EventCodec.json().readTree(text.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** A merge patch of {@code key}'s object, {@code current} now. */
  private static ObjectWrites.Outcome mergePatch(ObjectKey key, ObjectNode current, String patch) {
    return ObjectWrites.apply(
        write(WriteOperation.PATCH, key, "application/merge-patch+json", json(patch)),
        current,
        "9",
        NOW);
  }

  /** A write of {@code key}'s object itself. */
  private static WriteRequest write(
      WriteOperation op, ObjectKey key, String patchType, JsonNode body) {
    return new WriteRequest("req-1", "edge-1", op, key, "", patchType, body, "", false, "");
  }

  private static WriteRequest request(
      WriteOperation op, String sub, String patchType, JsonNode body) {
    return new WriteRequest("req-1", "edge-1", op, POD, sub, patchType, body, "", false, "");
  }

  private static ObjectNode pod() {
    return json(
        "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web','namespace':'default',"
            + "'resourceVersion':'7','uid':'u-1','generation':1,'labels':{'app':'web'}},"
            + "'spec':{'nodeName':'edge-1','containers':[{'name':'app','image':'nginx:1',"
            + "'env':[{'name':'A','value':'1'},{'name':'B','value':'2'}]},{'name':'side','image':'busybox'}],"
            + "'tolerations':[{'key':'a','operator':'Exists'}]},'status':{'phase':'Running'}}");
  }

  @Test
  void createFillsServerFieldsAndRefusesAnExistingObject() {
    ObjectNode body = json("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web'},'spec':{}}");
    ObjectWrites.Outcome created =
        ObjectWrites.apply(request(WriteOperation.CREATE, "", "", body), null, "8", NOW);
    assertThat(created.code()).isEqualTo(201);
    ObjectNode object = ((ObjectWrites.Upsert) created.change()).object();
    assertThat(object.at("/metadata/namespace").asText()).isEqualTo("default");
    assertThat(object.at("/metadata/resourceVersion").asText()).isEqualTo("8");
    assertThat(object.at("/metadata/uid").asText()).isNotEmpty();
    assertThat(object.at("/metadata/creationTimestamp").asText()).isEqualTo("2026-11-26T10:00:00Z");

    ObjectWrites.Outcome again =
        ObjectWrites.apply(request(WriteOperation.CREATE, "", "", body), pod(), "9", NOW);
    assertThat(again.code()).isEqualTo(409);
    assertThat(again.body().path("reason").asText()).isEqualTo("AlreadyExists");
    assertThat(again.body().path("message").asText()).isEqualTo("pods \"web\" already exists");
    assertThat(again.change()).isInstanceOf(ObjectWrites.None.class);
  }

  @Test
  void createWithAnotherNameThanTheUrlIsABadRequest() {
    ObjectNode body = json("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'other'}}");
    ObjectWrites.Outcome outcome =
        ObjectWrites.apply(request(WriteOperation.CREATE, "", "", body), null, "8", NOW);
    assertThat(outcome.code()).isEqualTo(400);
    assertThat(outcome.body().path("message").asText()).contains("(other)", "(web)");
  }

  @Test
  void updateChecksTheResourceVersionAndKeepsStatus() {
    ObjectNode stale = pod();
    stale.withObject("metadata").put("resourceVersion", "6");
    ObjectWrites.Outcome conflict =
        ObjectWrites.apply(request(WriteOperation.UPDATE, "", "", stale), pod(), "8", NOW);
    assertThat(conflict.code()).isEqualTo(409);
    assertThat(conflict.body().path("reason").asText()).isEqualTo("Conflict");

    ObjectNode changed = pod();
    changed.withObject("metadata").withObject("labels").put("tier", "front");
    changed.withObject("status").put("phase", "Failed"); // ignored: status goes through /status
    ObjectWrites.Outcome ok =
        ObjectWrites.apply(request(WriteOperation.UPDATE, "", "", changed), pod(), "8", NOW);
    assertThat(ok.code()).isEqualTo(200);
    ObjectNode object = ((ObjectWrites.Upsert) ok.change()).object();
    assertThat(object.at("/metadata/labels/tier").asText()).isEqualTo("front");
    assertThat(object.at("/status/phase").asText()).isEqualTo("Running");
    assertThat(object.at("/metadata/resourceVersion").asText()).isEqualTo("8");
  }

  @Test
  void updateOfAMissingObjectIsNotFound() {
    ObjectWrites.Outcome outcome =
        ObjectWrites.apply(request(WriteOperation.UPDATE, "", "", pod()), null, "8", NOW);
    assertThat(outcome.code()).isEqualTo(404);
    assertThat(outcome.body().path("message").asText()).isEqualTo("pods \"web\" not found");
  }

  @Test
  void statusUpdateChangesOnlyStatus() {
    ObjectNode body = pod();
    body.withObject("status").put("phase", "Succeeded");
    body.withObject("spec").put("nodeName", "elsewhere");
    ObjectWrites.Outcome ok =
        ObjectWrites.apply(request(WriteOperation.UPDATE, "status", "", body), pod(), "8", NOW);
    ObjectNode object = ((ObjectWrites.Upsert) ok.change()).object();
    assertThat(object.at("/status/phase").asText()).isEqualTo("Succeeded");
    assertThat(object.at("/spec/nodeName").asText()).isEqualTo("edge-1");
  }

  @Test
  void aNoOpWriteKeepsTheVersion() {
    ObjectWrites.Outcome outcome =
        ObjectWrites.apply(request(WriteOperation.UPDATE, "", "", pod()), pod(), "8", NOW);
    assertThat(outcome.code()).isEqualTo(200);
    assertThat(outcome.change()).isInstanceOf(ObjectWrites.None.class);
    assertThat(outcome.body().at("/metadata/resourceVersion").asText()).isEqualTo("7");
  }

  @Test
  void jsonMergeAndStrategicPatches() {
    ObjectWrites.Outcome json =
        ObjectWrites.apply(
            request(
                WriteOperation.PATCH,
                "",
                "application/json-patch+json",
                anyJson("[{'op':'replace','path':'/metadata/labels/app','value':'api'}]")),
            pod(),
            "8",
            NOW);
    assertThat(((ObjectWrites.Upsert) json.change()).object().at("/metadata/labels/app").asText())
        .isEqualTo("api");

    ObjectWrites.Outcome merge =
        ObjectWrites.apply(
            request(
                WriteOperation.PATCH,
                "",
                "application/merge-patch+json",
                json("{'metadata':{'labels':{'app':null,'x':'y'}}}")),
            pod(),
            "8",
            NOW);
    ObjectNode merged = ((ObjectWrites.Upsert) merge.change()).object();
    assertThat(merged.at("/metadata/labels").toString()).isEqualTo("{\"x\":\"y\"}");

    ObjectWrites.Outcome strategic =
        ObjectWrites.apply(
            request(
                WriteOperation.PATCH,
                "",
                "application/strategic-merge-patch+json",
                json(
                    "{'spec':{'containers':[{'name':'app','image':'nginx:2'}],"
                        + "'$setElementOrder/containers':[{'name':'app'},{'name':'side'}],"
                        + "'tolerations':[{'key':'a','operator':'Exists'},"
                        + "{'key':'b','operator':'Exists'}]}}")),
            pod(),
            "8",
            NOW);
    ObjectNode object = ((ObjectWrites.Upsert) strategic.change()).object();
    assertThat(object.at("/spec/containers")).hasSize(2);
    assertThat(object.at("/spec/containers/0/image").asText()).isEqualTo("nginx:2");
    assertThat(object.at("/spec/containers/0/env")).hasSize(2); // merged by name: kept
    assertThat(object.at("/spec/containers/1/image").asText()).isEqualTo("busybox");
    assertThat(object.at("/spec/tolerations")).hasSize(2); // no merge key: replaced
    assertThat(object.has("$setElementOrder/containers")).isFalse();
    assertThat(object.at("/metadata/generation").asInt()).isEqualTo(2);
  }

  @Test
  void aPodUpdateMayChangeOnlyWhatKubeApiserverLetsItChange() {
    ObjectWrites.Outcome env =
        ObjectWrites.apply(
            request(
                WriteOperation.PATCH,
                "",
                "application/strategic-merge-patch+json",
                json(
                    "{'spec':{'containers':[{'name':'app',"
                        + "'env':[{'name':'B','$patch':'delete'},{'name':'C','value':'3'}]}]}}")),
            pod(),
            "8",
            NOW);
    assertThat(env.code()).isEqualTo(422);
    assertThat(env.change()).isInstanceOf(ObjectWrites.None.class);
    JsonNode status = env.body();
    assertThat(status.path("message").asText())
        .startsWith(
            "Pod \"web\" is invalid: spec: Forbidden: pod updates may not change fields other"
                + " than `spec.containers[*].image`")
        .contains("changed: spec.containers[0].env");
    assertThat(status.at("/details/kind").asText()).isEqualTo("Pod");
    assertThat(status.at("/details/causes/0/field").asText()).isEqualTo("spec");
    assertThat(status.at("/details/causes/0/reason").asText()).isEqualTo("FieldValueForbidden");

    ObjectNode moved = pod();
    moved.withObject("spec").put("nodeName", "edge-2");
    moved.withObject("metadata").remove("resourceVersion");
    ObjectWrites.Outcome rebound =
        ObjectWrites.apply(request(WriteOperation.UPDATE, "", "", moved), pod(), "8", NOW);
    assertThat(rebound.code()).isEqualTo(422);
    assertThat(rebound.body().path("message").asText()).contains("changed: spec.nodeName");

    ObjectNode status2 = pod();
    status2.withObject("spec").put("nodeName", "edge-2"); // a status write takes the status only
    status2.putObject("status").put("phase", "Succeeded");
    ObjectWrites.Outcome statusWrite =
        ObjectWrites.apply(request(WriteOperation.UPDATE, "status", "", status2), pod(), "8", NOW);
    assertThat(statusWrite.code()).isEqualTo(200);
  }

  @Test
  void anImmutableConfigMapOrSecretKeepsItsDataAndASecretItsType() {
    ObjectKey config = ObjectKey.parse("/v1/ConfigMap/default/settings");
    ObjectNode frozen =
        json(
            "{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'settings','namespace':"
                + "'default','resourceVersion':'7'},'immutable':true,'data':{'mode':'fast'}}");
    ObjectWrites.Outcome data = mergePatch(config, frozen, "{'data':{'mode':'slow'}}");
    assertThat(data.code()).isEqualTo(422);
    assertThat(data.body().path("message").asText())
        .isEqualTo(
            "ConfigMap \"settings\" is invalid: data: Forbidden: field is immutable when"
                + " `immutable` is set");
    ObjectWrites.Outcome labels = mergePatch(config, frozen, "{'metadata':{'labels':{'a':'b'}}}");
    assertThat(labels.code()).isEqualTo(200);

    ObjectKey secret = ObjectKey.parse("/v1/Secret/default/db");
    ObjectNode opaque =
        json(
            "{'apiVersion':'v1','kind':'Secret','metadata':{'name':'db','namespace':'default',"
                + "'resourceVersion':'7'},'data':{'pw':'eA=='}}");
    ObjectWrites.Outcome retyped = mergePatch(secret, opaque, "{'type':'kubernetes.io/tls'}");
    assertThat(retyped.code()).isEqualTo(422);
    assertThat(retyped.body().path("message").asText())
        .endsWith("type: Invalid value: \"kubernetes.io/tls\": field is immutable");
  }

  @Test
  void aSecretsStringDataIsFoldedIntoItsDataOnEveryWrite() {
    ObjectKey secret = ObjectKey.parse("/v1/Secret/default/db");
    ObjectWrites.Outcome created =
        ObjectWrites.apply(
            write(
                WriteOperation.CREATE,
                secret,
                "",
                json(
                    "{'apiVersion':'v1','kind':'Secret','metadata':{'name':'db'},"
                        + "'data':{'user':'YWRtaW4='},'stringData':{'password':'s3cr3t'}}")),
            null,
            "8",
            NOW);
    ObjectNode stored = ((ObjectWrites.Upsert) created.change()).object();
    assertThat(stored.has("stringData")).isFalse();
    assertThat(stored.at("/data/user").asText()).isEqualTo("YWRtaW4=");
    assertThat(stored.at("/data/password").asText()).isEqualTo("czNjcjN0");

    ObjectWrites.Outcome patched = mergePatch(secret, stored, "{'stringData':{'user':'root'}}");
    ObjectNode changed = ((ObjectWrites.Upsert) patched.change()).object();
    assertThat(changed.has("stringData")).isFalse();
    assertThat(changed.at("/data/user").asText()).isEqualTo("cm9vdA==");
    assertThat(changed.at("/data/password").asText()).isEqualTo("czNjcjN0");
  }

  @Test
  void aBrokenJsonPatchIsInvalidAndAnUnknownPatchTypeUnsupported() {
    ObjectWrites.Outcome broken =
        ObjectWrites.apply(
            request(
                WriteOperation.PATCH,
                "",
                "application/json-patch+json",
                anyJson("[{'op':'remove','path':'/spec/missing'}]")),
            pod(),
            "8",
            NOW);
    assertThat(broken.code()).isEqualTo(422);
    assertThat(broken.body().path("message").asText()).contains("cannot be applied");

    ObjectWrites.Outcome unknown =
        ObjectWrites.apply(
            request(WriteOperation.PATCH, "", "application/apply-patch+cbor", json("{}")),
            pod(),
            "8",
            NOW);
    assertThat(unknown.code()).isEqualTo(415);
  }

  @Test
  void patchCarryingAStaleResourceVersionConflicts() {
    ObjectWrites.Outcome outcome =
        ObjectWrites.apply(
            request(
                WriteOperation.PATCH,
                "",
                "application/merge-patch+json",
                json("{'metadata':{'resourceVersion':'3','labels':{'x':'y'}}}")),
            pod(),
            "8",
            NOW);
    assertThat(outcome.code()).isEqualTo(409);
  }

  @Test
  void deleteHonoursPreconditionsAndDryRunChangesNothing() {
    ObjectWrites.Outcome stale =
        ObjectWrites.apply(
            request(
                WriteOperation.DELETE,
                "",
                "",
                json("{'kind':'DeleteOptions','preconditions':{'resourceVersion':'2'}}")),
            pod(),
            "8",
            NOW);
    assertThat(stale.code()).isEqualTo(409);
    ObjectWrites.Outcome deleted =
        ObjectWrites.apply(request(WriteOperation.DELETE, "", "", null), pod(), "8", NOW);
    assertThat(deleted.code()).isEqualTo(200);
    assertThat(deleted.change()).isInstanceOf(ObjectWrites.Delete.class);
    ObjectWrites.Outcome missing =
        ObjectWrites.apply(request(WriteOperation.DELETE, "", "", null), null, "8", NOW);
    assertThat(missing.code()).isEqualTo(404);

    WriteRequest dryRun =
        new WriteRequest("r", "edge-1", WriteOperation.DELETE, POD, "", "", null, "", true, "");
    ObjectWrites.Outcome dry = ObjectWrites.apply(dryRun, pod(), "8", NOW);
    assertThat(dry.code()).isEqualTo(200);
    assertThat(dry.change()).isInstanceOf(ObjectWrites.None.class);
  }

  @Test
  void pluralsFollowKubernetes() {
    assertThat(ObjectWrites.resourceName(ObjectKey.parse("/v1/Endpoints/default/x")))
        .isEqualTo("endpoints");
    assertThat(ObjectWrites.resourceName(ObjectKey.parse("networking.k8s.io/v1/Ingress/default/x")))
        .isEqualTo("ingresses.networking.k8s.io");
    assertThat(ObjectWrites.resourceName(ObjectKey.parse("x.io/v1/Policy/default/x")))
        .isEqualTo("policies.x.io");
  }

  @Test
  void anObjectWithFinalizersIsMarkedOnDeleteAndGoesWithItsLastFinalizer() {
    ObjectNode guarded = pod();
    guarded.withObject("metadata").putArray("finalizers").add("example.com/a").add("example.com/b");
    ObjectWrites.Outcome marked =
        ObjectWrites.apply(request(WriteOperation.DELETE, "", "", null), guarded, "8", NOW);
    assertThat(marked.code()).isEqualTo(200);
    ObjectNode kept = ((ObjectWrites.Upsert) marked.change()).object();
    assertThat(kept.at("/metadata/deletionTimestamp").asText()).isEqualTo("2026-11-26T10:00:00Z");
    assertThat(kept.at("/metadata/resourceVersion").asText()).isEqualTo("8");

    ObjectWrites.Outcome again =
        ObjectWrites.apply(request(WriteOperation.DELETE, "", "", null), kept, "9", NOW);
    assertThat(again.change())
        .as("a second delete changes nothing")
        .isInstanceOf(ObjectWrites.None.class);

    ObjectWrites.Outcome added =
        patch(
            kept,
            "",
            "{'metadata':{'finalizers':['example.com/a','example.com/b','example.com/c']}}",
            "9");
    assertThat(added.code()).as("no new finalizers while being deleted").isEqualTo(422);

    ObjectWrites.Outcome one =
        ObjectWrites.apply(
            request(
                WriteOperation.PATCH,
                "",
                "application/json-patch+json",
                anyJson("[{'op':'remove','path':'/metadata/finalizers/0'}]")),
            kept,
            "9",
            NOW);
    ObjectNode stillThere = ((ObjectWrites.Upsert) one.change()).object();
    assertThat(stillThere.at("/metadata/deletionTimestamp").asText()).isNotEmpty();

    ObjectWrites.Outcome last =
        patch(stillThere, "", "{'metadata':{'finalizers':null,'deletionTimestamp':null}}", "10");
    assertThat(last.code()).isEqualTo(200);
    assertThat(last.change()).isInstanceOf(ObjectWrites.Delete.class);
  }

  /** A pod its node's kubelet has started: it has a status.startTime. */
  private static ObjectNode runningPod() {
    ObjectNode pod = pod();
    pod.withObject("status").put("startTime", "2026-11-26T09:00:00Z");
    return pod;
  }

  private static ObjectWrites.Outcome patch(
      ObjectNode pod, String subresource, String mergePatch, String version) {
    return ObjectWrites.apply(
        request(
            WriteOperation.PATCH, subresource, "application/merge-patch+json", anyJson(mergePatch)),
        pod,
        version,
        NOW);
  }

  private static ObjectWrites.Outcome delete(ObjectNode pod, String options, String version) {
    return ObjectWrites.apply(
        request(WriteOperation.DELETE, "", "", options == null ? null : json(options)),
        pod,
        version,
        NOW);
  }

  @Test
  void aRunningPodIsMarkedForItsGracePeriodAndGoesWhenItsKubeletDeletesItWithZero() {
    ObjectWrites.Outcome marked = delete(runningPod(), "{'propagationPolicy':'Background'}", "8");
    assertThat(marked.code()).isEqualTo(200);
    ObjectNode terminating = ((ObjectWrites.Upsert) marked.change()).object();
    assertThat(terminating.at("/metadata/deletionTimestamp").asText())
        .as("now plus Kubernetes' default grace period")
        .isEqualTo("2026-11-26T10:00:30Z");
    assertThat(terminating.at("/metadata/deletionGracePeriodSeconds").asLong()).isEqualTo(30);
    assertThat(terminating.at("/metadata/generation").asLong()).isEqualTo(2);
    assertThat(terminating.at("/metadata/resourceVersion").asText()).isEqualTo("8");
    assertThat(marked.body()).isEqualTo(terminating);

    ObjectWrites.Outcome again = delete(terminating, null, "9");
    assertThat(again.code()).isEqualTo(200);
    assertThat(again.change()).as("a deletion under way").isInstanceOf(ObjectWrites.None.class);
    assertThat(delete(terminating, "{'gracePeriodSeconds':60}", "9").change())
        .as("a longer period changes nothing")
        .isInstanceOf(ObjectWrites.None.class);

    ObjectWrites.Outcome status =
        patch(terminating, "status", "{'status':{'phase':'Succeeded'}}", "9");
    ObjectNode finished = ((ObjectWrites.Upsert) status.change()).object();
    assertThat(finished.at("/metadata/deletionTimestamp").asText())
        .as("the kubelet's status writes during the grace period keep the pod")
        .isEqualTo("2026-11-26T10:00:30Z");

    ObjectWrites.Outcome stale =
        delete(finished, "{'gracePeriodSeconds':0,'preconditions':{'uid':'u-0'}}", "10");
    assertThat(stale.code()).as("the kubelet's uid precondition").isEqualTo(409);
    ObjectWrites.Outcome gone =
        delete(finished, "{'gracePeriodSeconds':0,'preconditions':{'uid':'u-1'}}", "10");
    assertThat(gone.code()).isEqualTo(200);
    assertThat(gone.change()).isInstanceOf(ObjectWrites.Delete.class);
  }

  @Test
  void aDeleteMayOnlyShortenTheGracePeriodAndTakesThePodsOwnPeriod() {
    ObjectNode pod = runningPod();
    pod.withObject("spec").put("terminationGracePeriodSeconds", 120);
    ObjectNode terminating = ((ObjectWrites.Upsert) delete(pod, null, "8").change()).object();
    assertThat(terminating.at("/metadata/deletionTimestamp").asText())
        .isEqualTo("2026-11-26T10:02:00Z");

    ObjectWrites.Outcome shorter =
        ObjectWrites.apply(
            request(WriteOperation.DELETE, "", "", json("{'gracePeriodSeconds':5}")),
            terminating,
            "9",
            NOW.plusSeconds(10));
    ObjectNode sooner = ((ObjectWrites.Upsert) shorter.change()).object();
    assertThat(sooner.at("/metadata/deletionTimestamp").asText())
        .as("counted from when the deletion was asked for")
        .isEqualTo("2026-11-26T10:00:05Z");
    assertThat(sooner.at("/metadata/deletionGracePeriodSeconds").asLong()).isEqualTo(5);
    assertThat(sooner.at("/metadata/generation").asLong()).as("bumped once").isEqualTo(2);

    ObjectNode negative =
        ((ObjectWrites.Upsert) delete(runningPod(), "{'gracePeriodSeconds':-3}", "8").change())
            .object();
    assertThat(negative.at("/metadata/deletionGracePeriodSeconds").asLong())
        .as("a negative period counts as 1 second")
        .isEqualTo(1);
  }

  @Test
  void aPodNothingRunsOrThatHasFinishedIsDeletedAtOnce() {
    ObjectNode unscheduled = runningPod();
    unscheduled.withObject("spec").remove("nodeName");
    ObjectNode succeeded = runningPod();
    succeeded.withObject("status").put("phase", "Succeeded");
    ObjectNode failed = runningPod();
    failed.withObject("status").put("phase", "Failed");
    ObjectNode notStarted = pod(); // no kubelet has reported it: no status.startTime
    for (ObjectNode pod : new ObjectNode[] {unscheduled, succeeded, failed, notStarted}) {
      assertThat(delete(pod, null, "8").change()).isInstanceOf(ObjectWrites.Delete.class);
    }
    assertThat(delete(runningPod(), "{'gracePeriodSeconds':0}", "8").change())
        .as("kubectl delete --grace-period=0 --force")
        .isInstanceOf(ObjectWrites.Delete.class);

    WriteRequest configMapDelete =
        new WriteRequest(
            "r",
            "edge-1",
            WriteOperation.DELETE,
            ObjectKey.parse("/v1/ConfigMap/default/settings"),
            "",
            "",
            json("{'gracePeriodSeconds':30}"),
            "",
            false,
            "");
    ObjectNode configMap =
        json(
            "{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'settings',"
                + "'namespace':'default','resourceVersion':'3'}}");
    assertThat(ObjectWrites.apply(configMapDelete, configMap, "8", NOW).change())
        .as("only pods are deleted gracefully")
        .isInstanceOf(ObjectWrites.Delete.class);
  }

  @Test
  void aTerminatingPodWithFinalizersStaysUntilTheLastIsGone() {
    ObjectNode pod = runningPod();
    pod.withObject("metadata").putArray("finalizers").add("example.com/a");
    ObjectNode terminating = ((ObjectWrites.Upsert) delete(pod, null, "8").change()).object();
    assertThat(terminating.at("/metadata/deletionGracePeriodSeconds").asLong()).isEqualTo(30);

    ObjectNode confirmed =
        ((ObjectWrites.Upsert) delete(terminating, "{'gracePeriodSeconds':0}", "9").change())
            .object();
    assertThat(confirmed.at("/metadata/deletionGracePeriodSeconds").asLong())
        .as("the kubelet's confirmation, held by the finalizer")
        .isZero();
    assertThat(confirmed.at("/metadata/deletionTimestamp").asText())
        .isEqualTo("2026-11-26T10:00:00Z");

    ObjectWrites.Outcome last =
        ObjectWrites.apply(
            request(
                WriteOperation.PATCH,
                "",
                "application/json-patch+json",
                anyJson("[{'op':'remove','path':'/metadata/finalizers'}]")),
            confirmed,
            "10",
            NOW);
    assertThat(last.change()).isInstanceOf(ObjectWrites.Delete.class);
  }
}
