package io.kedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kedge.cloud.devices.DeviceProfilePublisher;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.edge.relay.link.LinkState;
import io.kedge.mapper.opcua.DeviceSpec;
import io.kedge.mapper.opcua.DeviceSpecs;
import io.kedge.schemas.EventCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KubeEdge's mappers read their devices from the ConfigMap {@code device-profile-config-<node>}:
 * the cloud writes it from the Devices and DeviceModels as KubeEdge's device controller does, and a
 * mapper pod that mounts it finds it on its node's edge API; kedge's own profile reader (as a
 * KubeEdge mapper reads it) gets the device back. It follows changes and goes when the last device
 * of the node does.
 */
class DeviceProfileIT {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final String NODE = "edge-1";

  @TempDir Path tmp;

  private static final String MODEL =
      """
      apiVersion: devices.kubeedge.io/v1alpha2
      kind: DeviceModel
      metadata: {name: press-model, namespace: default}
      spec:
        properties:
          - name: temperature
            description: oil temperature
            type: {double: {accessMode: ReadOnly, unit: degC, minimum: -20, maximum: 120}}
          - name: setpoint
            type: {int: {accessMode: ReadWrite, defaultValue: 20}}
      """;

  private static String device(String collectCycle) {
    return """
        apiVersion: devices.kubeedge.io/v1alpha2
        kind: Device
        metadata: {name: press-1, namespace: default}
        spec:
          deviceModelRef: {name: press-model}
          protocol:
            opcua: {url: "opc.tcp://10.0.0.5:4840/press"}
            common: {customizedValues: {line: "3"}}
          nodeSelector:
            nodeSelectorTerms:
              - matchExpressions:
                  - {key: '', operator: In, values: [edge-1]}
          propertyVisitors:
            - propertyName: temperature
              collectCycle: %s
              reportCycle: 1000000000
              opcua: {nodeID: "ns=2;s=Temperature"}
            - propertyName: setpoint
              opcua: {nodeID: "ns=2;s=Setpoint"}
        status:
          twins:
            - propertyName: setpoint
              desired: {value: "21", metadata: {type: int}}
        """
        .formatted(collectCycle);
  }

  /** KubeEdge's mapper pods mount the profile: the pod makes kedge route it to the node. */
  private static final String MAPPER_POD =
      """
      apiVersion: v1
      kind: Pod
      metadata: {name: opcua-mapper, namespace: default}
      spec:
        nodeName: edge-1
        containers:
          - name: mapper
            image: kubeedge/opcua-mapper:v1.6
            volumeMounts: [{name: config, mountPath: /opt/kubeedge/}]
        volumes:
          - name: config
            configMap:
              name: device-profile-config-edge-1
              items: [{key: deviceProfile.json, path: deviceProfile.json}]
      """;

  @Test
  void theProfileReachesTheMapperOnItsNodeAndFollowsTheDevices() throws Exception {
    try (CloudEnvironment cloud = new CloudEnvironment("profiles", tmp);
        DeviceProfilePublisher profiles =
            DeviceProfilePublisher.start(
                Map.of("bootstrap.servers", cloud.kafka.bootstrapServers()), cloud.topics, null)) {
      cloud.apply(CloudEnvironment.node(NODE));
      cloud.apply(yaml(MODEL));
      cloud.apply(yaml(device("500000000")));
      cloud.apply(yaml(MAPPER_POD));
      try (EdgeNode edge = EdgeNode.start(cloud.edgeConfig(NODE, tmp.resolve("edge")), "test");
          KubernetesClient edgeApi = CloudEnvironment.edgeClient(edge)) {
        Awaitility.await("the profile on the mapper's node")
            .atMost(Duration.ofSeconds(90))
            .until(() -> edge.linkState() == LinkState.CONNECTED && profile(edgeApi) != null);
        JsonNode profile = profile(edgeApi);
        // KubeEdge's DeviceProfile format (cloud/pkg/devicecontroller/types/deviceprofile.go)
        JsonNode instance = profile.at("/deviceInstances/0");
        assertThat(instance.path("id").asText()).isEqualTo("press-1");
        assertThat(instance.path("protocol").asText()).isEqualTo("opcua-press-1");
        assertThat(instance.path("model").asText()).isEqualTo("press-model");
        assertThat(instance.at("/twins/0/desired/value").asText()).isEqualTo("21");
        assertThat(instance.at("/propertyVisitors/0/collectCycle").asLong()).isEqualTo(500000000L);
        assertThat(instance.at("/propertyVisitors/0/visitorConfig/nodeID").asText())
            .isEqualTo("ns=2;s=Temperature");
        assertThat(profile.at("/protocols/0/protocolConfig/url").asText())
            .isEqualTo("opc.tcp://10.0.0.5:4840/press");
        assertThat(profile.at("/protocols/0/protocolCommonConfig/customizedValues/line").asText())
            .isEqualTo("3");
        assertThat(profile.at("/deviceModels/0/properties/0").toString())
            .isEqualTo(
                "{\"name\":\"temperature\",\"description\":\"oil temperature\","
                    + "\"dataType\":\"double\",\"accessMode\":\"ReadOnly\",\"minimum\":-20,"
                    + "\"maximum\":120,\"unit\":\"degC\"}");
        // a mapper that reads deviceProfile.json as KubeEdge's do finds the device
        List<DeviceSpec> read = DeviceSpecs.fromProfile(profile);
        assertThat(read).hasSize(1);
        assertThat(read.get(0).properties().get(0).collectCycle())
            .isEqualTo(Duration.ofMillis(500));
        assertThat(read.get(0).properties().get(0).reportCycle()).isEqualTo(Duration.ofSeconds(1));

        cloud.apply(yaml(device("2000000000")));
        Awaitility.await("the change follows")
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    profile(edgeApi) != null
                        && profile(edgeApi)
                                .at("/deviceInstances/0/propertyVisitors/0/collectCycle")
                                .asLong()
                            == 2000000000L);

        cloud.delete(yaml(device("2000000000")));
        Awaitility.await("gone with the node's last device")
            .atMost(Duration.ofSeconds(60))
            .until(() -> profile(edgeApi) == null);
      }
    }
  }

  private static JsonNode profile(KubernetesClient edgeApi) throws Exception {
    ConfigMap configMap =
        edgeApi.configMaps().inNamespace("default").withName("device-profile-config-edge-1").get();
    return configMap == null
        ? null
        : EventCodec.json().readTree(configMap.getData().get("deviceProfile.json"));
  }

  private static ObjectNode yaml(String text) throws Exception {
    return (ObjectNode) YAML.readTree(text);
  }
}
