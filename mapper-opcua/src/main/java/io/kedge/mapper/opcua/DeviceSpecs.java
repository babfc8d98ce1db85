package io.kedge.mapper.opcua;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;

/**
 * Reads devices from KubeEdge's Device and DeviceModel objects ({@code
 * devices.kubeedge.io/v1alpha2}) or from a KubeEdge {@code deviceProfile.json}. Every problem names
 * the device and the field.
 */
public final class DeviceSpecs {
  static final Set<String> POLICIES =
      Set.of(
          "None",
          "Basic128Rsa15",
          "Basic256",
          "Basic256Sha256",
          "Aes128Sha256RsaOaep",
          "Aes256Sha256RsaPss");
  static final Set<String> MODES = Set.of("None", "Sign", "SignAndEncrypt");
  static final Duration DEFAULT_CYCLE = Duration.ofSeconds(1);

  /** The shortest cycle taken as written. */
  static final Duration MIN_CYCLE = Duration.ofMillis(10);

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DeviceSpecs.class);
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private DeviceSpecs() {}

  /**
   * A Device with its DeviceModel (null when the model is not known yet: properties then carry no
   * type and are taken as writable).
   *
   * @throws IllegalArgumentException naming the device and field at fault
   */
  public static DeviceSpec fromKube(JsonNode device, JsonNode model) {
    String name = device.path("metadata").path("name").asText("");
    String namespace = device.path("metadata").path("namespace").asText("default");
    String where = "Device " + namespace + "/" + name;
    JsonNode opcua = device.path("spec").path("protocol").path("opcua");
    if (!opcua.isObject()) {
      throw new IllegalArgumentException(where + ": spec.protocol.opcua is missing");
    }
    DeviceSpec.Endpoint endpoint = endpoint(where + ": spec.protocol.opcua", opcua);
    Map<String, JsonNode> modelProperties = new HashMap<>();
    if (model != null) {
      for (JsonNode property : model.path("spec").path("properties")) {
        modelProperties.put(property.path("name").asText(), property);
      }
    }
    List<DeviceSpec.Property> properties = new ArrayList<>();
    int i = 0;
    for (JsonNode visitor : device.path("spec").path("propertyVisitors")) {
      String field = where + ": spec.propertyVisitors[" + i++ + "]";
      String property = visitor.path("propertyName").asText("");
      if (property.isEmpty()) {
        throw new IllegalArgumentException(field + ".propertyName is required");
      }
      JsonNode modelProperty = modelProperties.get(property);
      if (model != null && modelProperty == null) {
        throw new IllegalArgumentException(
            field
                + ".propertyName '"
                + property
                + "' is not a property of DeviceModel "
                + model.path("metadata").path("name").asText());
      }
      String type = "";
      boolean readOnly = false;
      if (modelProperty != null) {
        var types = modelProperty.path("type").properties().iterator();
        if (types.hasNext()) {
          var entry = types.next();
          type = entry.getKey();
          readOnly = "ReadOnly".equals(entry.getValue().path("accessMode").asText());
        }
      }
      properties.add(
          new DeviceSpec.Property(
              property,
              nodeId(field + ".opcua.nodeID", visitor.path("opcua").path("nodeID").asText("")),
              cycle(field + ".collectCycle", visitor.path("collectCycle"), DEFAULT_CYCLE),
              type,
              readOnly,
              cycle(field + ".reportCycle", visitor.path("reportCycle"), Duration.ZERO)));
    }
    return new DeviceSpec(name, namespace, endpoint, List.copyOf(properties));
  }

  /**
   * The OPC UA devices of a KubeEdge {@code deviceProfile.json} (deviceInstances, deviceModels,
   * protocols).
   *
   * @throws IllegalArgumentException naming the instance and field at fault
   */
  public static List<DeviceSpec> fromProfile(JsonNode profile) {
    Map<String, JsonNode> protocols = new HashMap<>();
    for (JsonNode protocol : profile.path("protocols")) {
      protocols.put(protocol.path("name").asText(), protocol);
    }
    Map<String, Map<String, JsonNode>> models = new HashMap<>();
    for (JsonNode model : profile.path("deviceModels")) {
      Map<String, JsonNode> properties = new HashMap<>();
      for (JsonNode property : model.path("properties")) {
        properties.put(property.path("name").asText(), property);
      }
      models.put(model.path("name").asText(), properties);
    }
    List<DeviceSpec> devices = new ArrayList<>();
    int d = 0;
    for (JsonNode instance : profile.path("deviceInstances")) {
      String id = instance.path("id").asText(instance.path("name").asText(""));
      String where = "deviceProfile deviceInstances[" + d++ + "] (" + id + ")";
      if (id.isEmpty()) {
        throw new IllegalArgumentException(where + ": id is required");
      }
      JsonNode protocol = protocols.get(instance.path("protocol").asText());
      if (protocol == null) {
        throw new IllegalArgumentException(
            where + ": protocol '" + instance.path("protocol").asText() + "' is not in protocols");
      }
      if (!"opcua".equalsIgnoreCase(protocol.path("protocol").asText())) {
        continue; // another mapper's device
      }
      DeviceSpec.Endpoint endpoint =
          endpoint(where + ": protocolConfig", protocol.path("protocolConfig"));
      Map<String, JsonNode> model = models.getOrDefault(instance.path("model").asText(), Map.of());
      List<DeviceSpec.Property> properties = new ArrayList<>();
      int p = 0;
      for (JsonNode visitor : instance.path("propertyVisitors")) {
        String field = where + ": propertyVisitors[" + p++ + "]";
        String name = visitor.path("propertyName").asText(visitor.path("name").asText(""));
        JsonNode modelProperty = model.get(name);
        properties.add(
            new DeviceSpec.Property(
                name,
                nodeId(
                    field + ".visitorConfig.nodeID",
                    visitor.path("visitorConfig").path("nodeID").asText("")),
                cycle(field + ".collectCycle", visitor.path("collectCycle"), DEFAULT_CYCLE),
                modelProperty == null ? "" : modelProperty.path("dataType").asText(""),
                modelProperty != null
                    && "ReadOnly".equals(modelProperty.path("accessMode").asText()),
                cycle(field + ".reportCycle", visitor.path("reportCycle"), Duration.ZERO)));
      }
      devices.add(new DeviceSpec(id, "", endpoint, List.copyOf(properties)));
    }
    return devices;
  }

  private static DeviceSpec.Endpoint endpoint(String where, JsonNode opcua) {
    String url = opcua.path("url").asText("");
    if (!url.startsWith("opc.tcp://")) {
      throw new IllegalArgumentException(
          where + ".url '" + url + "' must be an opc.tcp:// URL of the device's server");
    }
    String policy = opcua.path("securityPolicy").asText("None");
    if (!POLICIES.contains(policy)) {
      throw new IllegalArgumentException(
          where + ".securityPolicy '" + policy + "' must be one of " + sorted(POLICIES));
    }
    String mode =
        opcua.path("securityMode").asText(policy.equals("None") ? "None" : "SignAndEncrypt");
    if (!MODES.contains(mode)) {
      throw new IllegalArgumentException(
          where + ".securityMode '" + mode + "' must be one of " + sorted(MODES));
    }
    if (policy.equals("None") != mode.equals("None")) {
      throw new IllegalArgumentException(
          where
              + ": securityPolicy "
              + policy
              + " and securityMode "
              + mode
              + " do not go together (None needs None on both)");
    }
    String certificate = opcua.path("certificate").asText("");
    String privateKey = opcua.path("privateKey").asText("");
    if (certificate.isEmpty() != privateKey.isEmpty()) {
      throw new IllegalArgumentException(
          where + ": certificate and privateKey are given together or not at all");
    }
    long timeoutMs = opcua.path("timeout").asLong(0);
    return new DeviceSpec.Endpoint(
        url,
        policy,
        mode,
        opcua.path("userName").asText(""),
        opcua.path("password").asText(""),
        certificate,
        privateKey,
        timeoutMs > 0 ? Duration.ofMillis(timeoutMs) : DEFAULT_TIMEOUT);
  }

  private static String nodeId(String field, String text) {
    if (NodeId.parseOrNull(text) == null) {
      throw new IllegalArgumentException(
          field + " '" + text + "' is not an OPC UA NodeId (e.g. ns=2;i=2 or ns=2;s=Temperature)");
    }
    return text;
  }

  /**
   * A KubeEdge cycle ({@code collectCycle}, {@code reportCycle}): nanoseconds, as KubeEdge's Go
   * mappers read them ({@code time.Duration}); 0 or absent means {@code whenUnset}. A cycle under
   * {@link #MIN_CYCLE} is taken as that, with a warning: it is almost surely milliseconds written
   * in the wrong unit (500 ms is 500000000).
   */
  private static Duration cycle(String field, JsonNode value, Duration whenUnset) {
    if (value.isMissingNode() || value.isNull()) {
      return whenUnset;
    }
    long nanos;
    try {
      nanos = value.isNumber() ? value.longValue() : Long.parseLong(value.asText().trim());
    } catch (NumberFormatException e) {
      nanos = -1;
    }
    if (nanos < 0 || (value.isNumber() && !value.canConvertToExactIntegral())) {
      throw new IllegalArgumentException(
          field
              + " '"
              + value.asText()
              + "' must be a number of nanoseconds, 0 or more (KubeEdge's unit: 1 s is"
              + " 1000000000)");
    }
    if (nanos == 0) {
      return whenUnset;
    }
    Duration cycle = Duration.ofNanos(nanos);
    if (cycle.compareTo(MIN_CYCLE) < 0) {
      LOG.warn(
          "{} {} is {} ns, under {} ms: KubeEdge's unit is nanoseconds (500 ms is 500000000);"
              + " using {} ms",
          field,
          nanos,
          nanos,
          MIN_CYCLE.toMillis(),
          MIN_CYCLE.toMillis());
      return MIN_CYCLE;
    }
    return cycle;
  }

  private static List<String> sorted(Set<String> values) {
    return values.stream().sorted().toList();
  }
}
