package io.kedge.kube.objects;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.WriteRequest;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Server-side apply of built-in kinds follows their Kubernetes schema, as kube-apiserver's does:
 * atomic maps and structs are owned whole, lists are maps on their list-map keys, sets or atomic as
 * Kubernetes tags them, whatever their field is called.
 */
class ServerSideApplySchemaTest {
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  private int version = 10;

  private ObjectWrites.Outcome apply(
      ObjectNode current, String key, String manager, boolean force, String config) {
    WriteRequest request =
        new WriteRequest(
            "r-" + version,
            "edge-1",
            WriteOperation.PATCH,
            ObjectKey.parse(key),
            "",
            ServerSideApply.APPLY_PATCH,
            TestJson.object(config),
            "",
            false,
            manager,
            force);
    return ObjectWrites.apply(request, current, Integer.toString(++version), NOW);
  }

  private static ObjectNode stored(ObjectWrites.Outcome outcome) {
    assertThat(outcome.change())
        .as(outcome.body().toString())
        .isInstanceOf(ObjectWrites.Upsert.class);
    return ((ObjectWrites.Upsert) outcome.change()).object();
  }

  private static JsonNode fields(ObjectNode object, int entry) {
    return object.at("/metadata/managedFields/" + entry + "/fieldsV1");
  }

  private static final String SERVICE = "/v1/Service/default/web";

  private static String service(String selector) {
    return "{'apiVersion':'v1','kind':'Service','metadata':{'name':'web','namespace':'default'},"
        + "'spec':{'selector':"
        + selector
        + ",'ports':[{'port':80,'targetPort':8080}]}}";
  }

  @Test
  void aServicesSelectorIsOwnedWholeAndAnotherSelectorConflicts() {
    ObjectNode web = stored(apply(null, SERVICE, "a", false, service("{'app':'web'}")));
    assertThat(fields(web, 0).at("/f:spec/f:selector").toString())
        .as("an atomic map: the selector, not its keys")
        .isEqualTo("{}");
    assertThat(fields(web, 0).at("/f:spec/f:ports").has("k:{\"port\":80,\"protocol\":\"TCP\"}"))
        .isTrue();

    // another manager's selector that keeps app=web and adds a key changes the whole map
    ObjectWrites.Outcome conflict =
        apply(web, SERVICE, "b", false, service("{'app':'web','tier':'front'}"));
    assertThat(conflict.code()).isEqualTo(409);
    assertThat(conflict.body().path("message").asText()).endsWith(": .spec.selector");

    ObjectNode forced =
        stored(apply(web, SERVICE, "b", true, service("{'app':'web','tier':'front'}")));
    assertThat(forced.at("/spec/selector").toString())
        .isEqualTo("{\"app\":\"web\",\"tier\":\"front\"}");

    // the owner applies a smaller selector: the map is replaced, not merged
    ObjectNode smaller = stored(apply(forced, SERVICE, "b", false, service("{'tier':'front'}")));
    assertThat(smaller.at("/spec/selector").toString()).isEqualTo("{\"tier\":\"front\"}");
  }

  @Test
  void listsFollowTheirKindsTagsNotTheirFieldNames() {
    // EndpointSlice ports are +listType=atomic, although a Service's and a container's are keyed
    ObjectNode slice =
        stored(
            apply(
                null,
                "discovery.k8s.io/v1/EndpointSlice/default/web-1",
                "a",
                false,
                "{'apiVersion':'discovery.k8s.io/v1','kind':'EndpointSlice',"
                    + "'metadata':{'name':'web-1','namespace':'default'},'addressType':'IPv4',"
                    + "'endpoints':[{'addresses':['10.0.0.1']}],"
                    + "'ports':[{'name':'http','port':8080,'protocol':'TCP'}]}"));
    assertThat(fields(slice, 0).at("/f:ports").toString()).isEqualTo("{}");
    assertThat(fields(slice, 0).at("/f:endpoints").toString()).isEqualTo("{}");

    // a pod's node selector is an atomic map; its containers' ports are keyed by port and protocol
    ObjectNode pod =
        stored(
            apply(
                null,
                "/v1/Pod/default/web",
                "a",
                false,
                "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web','namespace':'default'},"
                    + "'spec':{'nodeSelector':{'disk':'ssd'},'containers':[{'name':'app',"
                    + "'image':'nginx','ports':[{'containerPort':80}]}],"
                    + "'tolerations':[{'key':'k','operator':'Exists'}]}}"));
    JsonNode spec = fields(pod, 0).at("/f:spec");
    assertThat(spec.at("/f:nodeSelector").toString()).isEqualTo("{}");
    assertThat(spec.at("/f:tolerations").toString()).isEqualTo("{}");
    assertThat(
            spec.at("/f:containers/k:{\"name\":\"app\"}/f:ports")
                .has("k:{\"containerPort\":80,\"protocol\":\"TCP\"}"))
        .isTrue();
  }

  @Test
  void aStrategicMergePatchIsForBuiltInKindsOnly() {
    WriteRequest patch =
        new WriteRequest(
            "r-1",
            "edge-1",
            WriteOperation.PATCH,
            ObjectKey.parse("example.io/v1/Widget/default/w"),
            "",
            "application/strategic-merge-patch+json",
            TestJson.object("{'spec':{'replicas':2}}"),
            "",
            false,
            "");
    ObjectNode widget =
        TestJson.object(
            "{'apiVersion':'example.io/v1','kind':'Widget','metadata':{'name':'w',"
                + "'namespace':'default','resourceVersion':'3'},'spec':{'replicas':1}}");
    ObjectWrites.Outcome refused = ObjectWrites.apply(patch, widget, "4", NOW);
    assertThat(refused.code()).isEqualTo(415);
    assertThat(refused.body().path("reason").asText()).isEqualTo("UnsupportedMediaType");
    assertThat(refused.change()).isInstanceOf(ObjectWrites.None.class);
    assertThat(ApplySchema.isBuiltIn("v1", "ConfigMap")).isTrue();
    assertThat(ApplySchema.isBuiltIn("apiextensions.k8s.io/v1", "CustomResourceDefinition"))
        .isTrue();
    assertThat(ApplySchema.isBuiltIn("devices.kubeedge.io/v1alpha2", "Device")).isFalse();
  }

  @Test
  void aCustomResourceWithoutASchemaKnowsListsByName() {
    ObjectNode widget =
        stored(
            apply(
                null,
                "example.io/v1/Widget/default/w",
                "a",
                false,
                "{'apiVersion':'example.io/v1','kind':'Widget','metadata':{'name':'w',"
                    + "'namespace':'default'},'spec':{'selector':{'app':'w'},"
                    + "'containers':[{'name':'app','image':'nginx'}]}}"));
    JsonNode spec = fields(widget, 0).at("/f:spec");
    assertThat(spec.at("/f:selector/f:app").isObject()).isTrue();
    assertThat(spec.at("/f:containers").has("k:{\"name\":\"app\"}")).isTrue();
  }
}
