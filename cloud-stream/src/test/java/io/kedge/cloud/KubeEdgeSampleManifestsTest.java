package io.kedge.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.cloud.devices.DeviceProfiles;
import io.kedge.cloud.manifest.Manifest;
import io.kedge.cloud.manifest.ManifestReader;
import io.kedge.cloud.rules.RuleBook;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.ObjectKey;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * KubeEdge's own sample manifests (test resources {@code kubeedge-samples/}, unedited), read as
 * {@code kedge apply} reads a user's files: the rules route as KubeEdge's router routes them, the
 * one KubeEdge's admission refuses beside another is refused with the reason, and the device lands
 * in its node's {@code deviceProfile.json} as KubeEdge's device controller writes it.
 */
class KubeEdgeSampleManifestsTest {
  private static final String ROUTER = "router/";

  private static ObjectNode sample(String file) {
    try {
      Path path = Path.of(ClassLoader.getSystemResource("kubeedge-samples/" + file).toURI());
      List<Manifest> manifests = new ManifestReader().read(path);
      assertThat(manifests).hasSize(1);
      return manifests.get(0).object();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static RuleBook book(String... files) {
    RuleBook book = new RuleBook();
    for (String file : files) {
      ObjectNode object = sample(ROUTER + file);
      book.apply(ObjectKey.of(object), object);
    }
    return book;
  }

  @Test
  void restToEventbusAndEventbusToRestRouteAsKubeEdgeRoutesThem() {
    RuleBook book =
        book(
            "create-ruleEndpoint-rest.yaml",
            "create-ruleEndpoint-eventbus.yaml",
            "create-rule-rest-eventbus.yaml",
            "create-rule-eventbus-rest.yaml");
    assertThat(book.errors()).isEmpty();

    // the user's apply put them in the default namespace, as kubectl does
    var exact = book.restRoute("default", "/a").orElseThrow();
    assertThat(exact.route().name()).isEqualTo("my-rule");
    assertThat(exact.route().targetType()).isEqualTo("eventbus");
    assertThat(exact.route().targetResource().path("topic").asText()).isEqualTo("test");
    assertThat(exact.subPath()).isEmpty();
    // KubeEdge 1.7+: a path below the rule's is passed on to the target
    assertThat(book.restRoute("default", "/a/b").orElseThrow().subPath()).isEqualTo("/b");
    // matching stays anchored to whole segments
    assertThat(book.restRoute("default", "/ab")).isEmpty();
    assertThat(book.restRoute("other", "/a")).isEmpty();

    List<RuleBook.Route> fromEdge = book.eventbusRoutes("xxx", "default/test");
    assertThat(fromEdge).extracting(RuleBook.Route::name).containsExactly("my-rule-eventbus-rest");
    assertThat(fromEdge.get(0).targetResource().path("resource").asText())
        .isEqualTo("http://a.com");
    assertThat(book.eventbusRoutes("another-node", "default/test")).isEmpty();
  }

  @Test
  void restToServicebusRoutesAloneAndIsRefusedBesideARuleOnTheSamePath() {
    RuleBook alone =
        book(
            "create-ruleEndpoint-rest.yaml",
            "create-ruleEndpoint-servicebus.yaml",
            "create-rule-rest-servicebus.yaml");
    assertThat(alone.errors()).isEmpty();
    var route = alone.restRoute("default", "/a/c").orElseThrow();
    assertThat(route.route().targetType()).isEqualTo("servicebus");
    assertThat(route.route().targetResource().path("path").asText()).isEqualTo("/b");
    assertThat(route.route().targetProperties().path("service_port").asText()).isEqualTo("6666");
    assertThat(route.subPath()).isEqualTo("/c");

    // KubeEdge's admission: "source properties exist in Rule default/my-rule. Path: /a"
    RuleBook withRestToEventbus =
        book(
            "create-ruleEndpoint-rest.yaml",
            "create-ruleEndpoint-eventbus.yaml",
            "create-ruleEndpoint-servicebus.yaml",
            "create-rule-rest-eventbus.yaml");
    assertThat(withRestToEventbus.admit(sample(ROUTER + "create-rule-rest-servicebus.yaml")))
        .anyMatch(reason -> reason.contains("default/my-rule"));
  }

  @Test
  void theModbusDeviceIsInItsNodesProfileAsKubeEdgesDeviceControllerWritesIt() throws Exception {
    ObjectNode device = sample("devices/modbustcp-device-instance.yaml");
    ObjectNode model = sample("devices/modbus-device-model.yaml");
    Map<ObjectKey, ObjectNode> profiles =
        DeviceProfiles.of(List.of(device), Map.of("default/modbus-sample-model", model));

    // the sample binds the device with KubeEdge 1.6's empty key; "test " is YAML for "test"
    ObjectKey key = new ObjectKey("", "v1", "ConfigMap", "default", "device-profile-config-test");
    assertThat(profiles).containsOnlyKeys(key);
    JsonNode profile =
        EventCodec.json()
            .readTree(profiles.get(key).path("data").path(DeviceProfiles.KEY).asText());

    JsonNode instance = profile.path("deviceInstances").path(0);
    assertThat(instance.path("id").asText()).isEqualTo("modbustcp-device");
    assertThat(instance.path("model").asText()).isEqualTo("modbus-sample-model");
    assertThat(instance.path("protocol").asText()).isEqualTo("modbus-modbustcp-device");
    JsonNode visitors = instance.path("propertyVisitors");
    assertThat(visitors).hasSize(2);
    assertThat(visitors.path(0).path("propertyName").asText()).isEqualTo("temperature");
    assertThat(visitors.path(0).path("protocol").asText()).isEqualTo("modbus");
    // a nanosecond count, passed on as the sample wrote it (Go mappers read a time.Duration)
    assertThat(visitors.path(0).path("collectCycle").asLong()).isEqualTo(5000);
    assertThat(visitors.path(0).path("visitorConfig").path("register").asText())
        .isEqualTo("CoilRegister");
    assertThat(visitors.path(1).has("collectCycle")).isFalse();
    assertThat(instance.path("twins").path(0).path("desired").path("value").asText())
        .isEqualTo("0");

    JsonNode protocol = profile.path("protocols").path(0);
    assertThat(protocol.path("name").asText()).isEqualTo("modbus-modbustcp-device");
    assertThat(protocol.path("protocolConfig").path("slaveID").asInt()).isEqualTo(1);
    assertThat(protocol.path("protocolCommonConfig").path("tcp").path("port").asInt())
        .isEqualTo(502);

    JsonNode properties = profile.path("deviceModels").path(0).path("properties");
    assertThat(properties).hasSize(2);
    assertThat(properties.path(0).path("dataType").asText()).isEqualTo("int");
    assertThat(properties.path(0).path("maximum").asInt()).isEqualTo(100);
    assertThat(properties.path(1).path("defaultValue").asInt()).isEqualTo(1);
  }
}
