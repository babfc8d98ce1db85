package io.kedge.cloud.devices;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.kube.objects.Bindings;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.ObjectKey;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ConfigMaps KubeEdge's device controller writes for its mappers: {@code
 * device-profile-config-<node>} in the devices' namespace, key {@code deviceProfile.json}, listing
 * the node's devices (with their property visitors, twins' desired values and data), the device
 * models they use and one protocol entry per device, in KubeEdge's {@code DeviceProfile} format
 * (cloud/pkg/devicecontroller/types/deviceprofile.go). A KubeEdge mapper pod mounts it; kedge
 * routes it to the node like any ConfigMap a pod uses.
 */
public final class DeviceProfiles {
  public static final String PREFIX = "device-profile-config-";
  public static final String KEY = "deviceProfile.json";

  /** The label kedge puts on the ConfigMaps it writes, so it removes only its own. */
  public static final String GENERATED_LABEL = "kedge.io/generated-by";

  public static final String GENERATED_VALUE = "device-profiles";

  private static final List<String> PROTOCOLS =
      List.of("opcua", "modbus", "bluetooth", "customizedProtocol");

  private DeviceProfiles() {}

  /**
   * The twins with their desired values only. Mappers read the profile at start for each twin's
   * name, type and desired value; a reported value in it would rewrite the node's profile, and send
   * it to the node, on every report.
   */
  private static ArrayNode withoutReported(JsonNode twins) {
    ArrayNode copy = EventCodec.json().createArrayNode();
    for (JsonNode twin : twins) {
      JsonNode kept = twin.deepCopy();
      if (kept.isObject()) {
        ((ObjectNode) kept).remove("reported");
      }
      copy.add(kept);
    }
    return copy;
  }

  /**
   * The profile ConfigMap of every (namespace, node) some device is bound to, by key.
   *
   * @param models DeviceModels by {@code namespace/name}
   */
  public static Map<ObjectKey, ObjectNode> of(
      Collection<ObjectNode> devices, Map<String, ObjectNode> models) {
    Map<ObjectKey, ObjectNode> profiles =
        new TreeMap<>(java.util.Comparator.comparing(ObjectKey::toString));
    Map<ObjectKey, List<ObjectNode>> byNode = new LinkedHashMap<>();
    devices.stream()
        .sorted(java.util.Comparator.comparing(d -> d.path("metadata").path("name").asText()))
        .forEach(
            device -> {
              String namespace = device.path("metadata").path("namespace").asText("default");
              for (String node : Bindings.deviceNodes(device)) {
                byNode
                    .computeIfAbsent(
                        new ObjectKey("", "v1", "ConfigMap", namespace, PREFIX + node),
                        k -> new java.util.ArrayList<>())
                    .add(device);
              }
            });
    byNode.forEach(
        (key, nodeDevices) ->
            profiles.put(key, configMap(key, profile(key.namespace(), nodeDevices, models))));
    return profiles;
  }

  /** A deviceProfile.json document for {@code devices} of {@code namespace}. */
  static ObjectNode profile(
      String namespace, List<ObjectNode> devices, Map<String, ObjectNode> models) {
    ObjectNode profile = EventCodec.json().createObjectNode();
    ArrayNode instances = profile.putArray("deviceInstances");
    ArrayNode modelList = profile.putArray("deviceModels");
    ArrayNode protocols = profile.putArray("protocols");
    java.util.Set<String> modelsAdded = new java.util.HashSet<>();
    for (ObjectNode device : devices) {
      String name = device.path("metadata").path("name").asText();
      JsonNode spec = device.path("spec");
      String model = spec.path("deviceModelRef").path("name").asText("");
      ObjectNode instance = instances.addObject();
      instance.put("id", name).put("name", name);
      JsonNode protocolSpec = spec.path("protocol");
      String protocolType = PROTOCOLS.stream().filter(protocolSpec::has).findFirst().orElse("");
      String protocolName =
          protocolType.isEmpty() ? "" : kubeEdgeProtocol(protocolType) + "-" + name;
      if (!protocolName.isEmpty()) {
        instance.put("protocol", protocolName);
      }
      if (!model.isEmpty()) {
        instance.put("model", model);
      }
      JsonNode twins = device.path("status").path("twins");
      if (twins.isArray() && !twins.isEmpty()) {
        instance.set("twins", withoutReported(twins));
      }
      JsonNode data = spec.path("data");
      if (data.path("dataProperties").isArray() && !data.path("dataProperties").isEmpty()) {
        instance.set("dataProperties", data.path("dataProperties").deepCopy());
      }
      if (!data.path("dataTopic").asText("").isEmpty()) {
        instance.put("dataTopic", data.path("dataTopic").asText());
      }
      ArrayNode visitors = instance.putArray("propertyVisitors");
      for (JsonNode visitor : spec.path("propertyVisitors")) {
        String property = visitor.path("propertyName").asText("");
        ObjectNode v = visitors.addObject();
        v.put("name", property).put("propertyName", property).put("modelName", model);
        String visitorType = PROTOCOLS.stream().filter(visitor::has).findFirst().orElse("");
        if (!visitorType.isEmpty()) {
          v.put("protocol", kubeEdgeProtocol(visitorType));
        }
        if (visitor.path("reportCycle").asLong(0) != 0) {
          v.put("reportCycle", visitor.path("reportCycle").asLong());
        }
        if (visitor.path("collectCycle").asLong(0) != 0) {
          v.put("collectCycle", visitor.path("collectCycle").asLong());
        }
        if (visitor.has("customizedValues")) {
          v.set("customizedValues", visitor.path("customizedValues").deepCopy());
        }
        if (!visitorType.isEmpty()) {
          v.set("visitorConfig", visitor.path(visitorType).deepCopy());
        }
      }
      if (!protocolName.isEmpty()) {
        ObjectNode protocol = protocols.addObject();
        protocol.put("name", protocolName).put("protocol", kubeEdgeProtocol(protocolType));
        protocol.set("protocolConfig", protocolSpec.path(protocolType).deepCopy());
        protocol.set(
            "protocolCommonConfig",
            protocolSpec.has("common") ? protocolSpec.path("common").deepCopy() : null);
      }
      ObjectNode modelObject = models.get(namespace + "/" + model);
      if (modelObject != null && modelsAdded.add(model)) {
        modelList.add(model(modelObject));
      }
    }
    return profile;
  }

  /** KubeEdge's name of a protocol: {@code customized-protocol} for customizedProtocol. */
  private static String kubeEdgeProtocol(String field) {
    return field.equals("customizedProtocol") ? "customized-protocol" : field;
  }

  /** A DeviceModel as the profile lists it: each property's type flattened. */
  private static ObjectNode model(ObjectNode deviceModel) {
    ObjectNode model = EventCodec.json().createObjectNode();
    model.put("name", deviceModel.path("metadata").path("name").asText());
    ArrayNode properties = model.putArray("properties");
    for (JsonNode property : deviceModel.path("spec").path("properties")) {
      ObjectNode p = properties.addObject();
      p.put("name", property.path("name").asText());
      if (!property.path("description").asText("").isEmpty()) {
        p.put("description", property.path("description").asText());
      }
      var types = property.path("type").properties().iterator();
      if (types.hasNext()) {
        var type = types.next();
        JsonNode details = type.getValue();
        p.put("dataType", type.getKey());
        copy(details, p, "accessMode");
        copy(details, p, "defaultValue");
        copy(details, p, "minimum");
        copy(details, p, "maximum");
        copy(details, p, "unit");
      }
    }
    return model;
  }

  private static void copy(JsonNode from, ObjectNode to, String field) {
    if (from.has(field) && !from.get(field).isNull()) {
      to.set(field, from.get(field).deepCopy());
    }
  }

  private static ObjectNode configMap(ObjectKey key, ObjectNode profile) {
    ObjectNode configMap = EventCodec.json().createObjectNode();
    configMap.put("apiVersion", "v1").put("kind", "ConfigMap");
    ObjectNode metadata = configMap.putObject("metadata");
    metadata.put("name", key.name()).put("namespace", key.namespace());
    metadata.putObject("labels").put(GENERATED_LABEL, GENERATED_VALUE);
    configMap.putObject("data").put(KEY, profile.toString());
    return configMap;
  }
}
