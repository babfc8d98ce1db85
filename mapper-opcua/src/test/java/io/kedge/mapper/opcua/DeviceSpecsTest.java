package io.kedge.mapper.opcua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.runtime.config.ConfigSources;
import io.kedge.runtime.config.InvalidConfigException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeviceSpecsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static ObjectNode device() throws Exception {
    return (ObjectNode)
        JSON.readTree(
            """
            {"apiVersion":"devices.kubeedge.io/v1alpha2","kind":"Device",
             "metadata":{"name":"press","namespace":"plant"},
             "spec":{"deviceModelRef":{"name":"press-model"},
               "protocol":{"opcua":{"url":"opc.tcp://10.0.0.5:4840/press",
                 "securityPolicy":"Basic256Sha256","securityMode":"Sign",
                 "userName":"op","password":"/etc/pw","timeout":2000}},
               "nodeSelector":{"nodeSelectorTerms":[{"matchExpressions":[
                 {"key":"","operator":"In","values":["edge-1"]}]}]},
               "propertyVisitors":[
                 {"propertyName":"temperature","collectCycle":500000000,"reportCycle":2000000000,
                  "opcua":{"nodeID":"ns=2;s=Temperature"}},
                 {"propertyName":"setpoint","opcua":{"nodeID":"ns=2;i=7"}}]}}
            """);
  }

  static JsonNode model() throws Exception {
    return JSON.readTree(
        """
        {"metadata":{"name":"press-model","namespace":"plant"},
         "spec":{"properties":[
           {"name":"temperature","type":{"double":{"accessMode":"ReadOnly"}}},
           {"name":"setpoint","type":{"int":{"accessMode":"ReadWrite","maximum":100}}}]}}
        """);
  }

  @Test
  void readsADeviceWithItsModel() throws Exception {
    DeviceSpec spec = DeviceSpecs.fromKube(device(), model());
    assertThat(spec.id()).isEqualTo("press");
    assertThat(spec.namespace()).isEqualTo("plant");
    assertThat(spec.endpoint().securityPolicy()).isEqualTo("Basic256Sha256");
    assertThat(spec.endpoint().securityMode()).isEqualTo("Sign");
    assertThat(spec.endpoint().passwordFile()).isEqualTo("/etc/pw");
    assertThat(spec.endpoint().timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(spec.properties())
        .containsExactly(
            new DeviceSpec.Property(
                "temperature",
                "ns=2;s=Temperature",
                Duration.ofMillis(500),
                "double",
                true,
                Duration.ofSeconds(2)),
            new DeviceSpec.Property("setpoint", "ns=2;i=7", Duration.ofSeconds(1), "int", false));
  }

  @Test
  void badDevicesNameTheirField() throws Exception {
    ObjectNode noUrl = device();
    ((ObjectNode) noUrl.at("/spec/protocol/opcua")).put("url", "http://x");
    assertThatThrownBy(() -> DeviceSpecs.fromKube(noUrl, model()))
        .hasMessageContaining("Device plant/press: spec.protocol.opcua.url 'http://x'");
    ObjectNode badPolicy = device();
    ((ObjectNode) badPolicy.at("/spec/protocol/opcua")).put("securityPolicy", "Basic512");
    assertThatThrownBy(() -> DeviceSpecs.fromKube(badPolicy, model()))
        .hasMessageContaining("securityPolicy 'Basic512' must be one of");
    ObjectNode mismatch = device();
    ((ObjectNode) mismatch.at("/spec/protocol/opcua")).put("securityMode", "None");
    assertThatThrownBy(() -> DeviceSpecs.fromKube(mismatch, model()))
        .hasMessageContaining("do not go together");
    ObjectNode badNode = device();
    ((ObjectNode) badNode.at("/spec/propertyVisitors/1/opcua")).put("nodeID", "setpoint");
    assertThatThrownBy(() -> DeviceSpecs.fromKube(badNode, model()))
        .hasMessageContaining(
            "spec.propertyVisitors[1].opcua.nodeID 'setpoint' is not an OPC UA NodeId");
    ObjectNode unknownProperty = device();
    ((ObjectNode) unknownProperty.at("/spec/propertyVisitors/0")).put("propertyName", "speed");
    assertThatThrownBy(() -> DeviceSpecs.fromKube(unknownProperty, model()))
        .hasMessageContaining("'speed' is not a property of DeviceModel press-model");
    ObjectNode badCycle = device();
    ((ObjectNode) badCycle.at("/spec/propertyVisitors/0")).put("collectCycle", "fast");
    assertThatThrownBy(() -> DeviceSpecs.fromKube(badCycle, model()))
        .hasMessageContaining("collectCycle 'fast' must be a number of nanoseconds");
  }

  @Test
  void cyclesAreNanosecondsAsInKubeEdge() throws Exception {
    // KubeEdge's documentation samples: collectCycle 500000000, reportCycle 1000000000
    ObjectNode kubeEdgeSample = device();
    ((ObjectNode) kubeEdgeSample.at("/spec/propertyVisitors/0"))
        .put("collectCycle", 500000000L)
        .put("reportCycle", "1000000000");
    DeviceSpec.Property sampled = DeviceSpecs.fromKube(kubeEdgeSample, model()).properties().get(0);
    assertThat(sampled.collectCycle()).isEqualTo(Duration.ofMillis(500));
    assertThat(sampled.reportCycle()).isEqualTo(Duration.ofSeconds(1));
    // KubeEdge's modbus sample writes 5000 (5 µs): taken as the shortest cycle, not as 5 s
    ObjectNode tiny = device();
    ((ObjectNode) tiny.at("/spec/propertyVisitors/0")).put("collectCycle", 5000);
    assertThat(DeviceSpecs.fromKube(tiny, model()).properties().get(0).collectCycle())
        .isEqualTo(DeviceSpecs.MIN_CYCLE);
    // unset: sampled every second, reported again at the mapper's full-report interval
    DeviceSpec.Property unset = DeviceSpecs.fromKube(device(), model()).properties().get(1);
    assertThat(unset.collectCycle()).isEqualTo(Duration.ofSeconds(1));
    assertThat(unset.reportCycle()).isEqualTo(Duration.ZERO);
  }

  @Test
  void readsAKubeEdgeDeviceProfile() throws Exception {
    JsonNode profile =
        JSON.readTree(
            """
            {"deviceInstances":[
               {"id":"sensor-1","name":"sensor-1","protocol":"opcua-sensor-1","model":"sensor",
                "propertyVisitors":[{"name":"temperature","propertyName":"temperature",
                  "modelName":"sensor","protocol":"opcua","collectCycle":250000000,
                  "visitorConfig":{"nodeID":"ns=2;i=2","browseName":"Temperature"}}]},
               {"id":"bulb-1","protocol":"bluetooth-bulb-1","model":"bulb","propertyVisitors":[]}],
             "deviceModels":[{"name":"sensor","properties":[
                {"name":"temperature","dataType":"int","accessMode":"ReadOnly"}]}],
             "protocols":[
               {"name":"opcua-sensor-1","protocol":"opcua",
                "protocolConfig":{"url":"opc.tcp://127.0.0.1:4840"}},
               {"name":"bluetooth-bulb-1","protocol":"bluetooth","protocolConfig":{}}]}
            """);
    var devices = DeviceSpecs.fromProfile(profile);
    assertThat(devices).hasSize(1); // the bluetooth device is another mapper's
    assertThat(devices.get(0).properties())
        .containsExactly(
            new DeviceSpec.Property(
                "temperature", "ns=2;i=2", Duration.ofMillis(250), "int", true));
  }

  @Test
  void configErrorsNameKeyValueAndRule() {
    assertThatThrownBy(
            () ->
                MapperConfig.DEF.parse(
                    ConfigSources.withEnvironment(Map.of())
                        .flag("mapper.node", "edge-1", "--node")
                        .flag("mapper.mqtt", "mqtt://x", "--mqtt")
                        .flag("mapper.edge-api", "127.0.0.1:10550", "--edge-api")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("mapper.mqtt")
        .hasMessageContaining("mqtt://x")
        .hasMessageContaining("must be a tcp:// or ssl:// URL")
        .hasMessageContaining("mapper.edge-api")
        .hasMessageContaining("must be an http:// or https:// URL");
    assertThatThrownBy(() -> MapperConfig.DEF.parse(ConfigSources.withEnvironment(Map.of())))
        .hasMessageContaining("mapper.node")
        .hasMessageContaining("is required");
  }
}
