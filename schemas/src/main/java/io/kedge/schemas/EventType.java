package io.kedge.schemas;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every kind of event kedge puts on Kafka. The CloudEvents {@code type} attribute is {@code
 * <name>.v<major>}; a reader accepts only the major versions it knows and rejects others with a
 * clear error, so a newer writer can never be half-understood by an older reader.
 */
public enum EventType {
  RESOURCE_UPSERT("io.kedge.resource.upsert", ResourceUpsert.class),
  RESOURCE_DELETE("io.kedge.resource.delete", ResourceDelete.class),
  RESYNC_REQUEST("io.kedge.resync.request", ResyncRequest.class),
  RESYNC_BEGIN("io.kedge.resync.begin", ResyncBegin.class),
  RESYNC_END("io.kedge.resync.end", ResyncEnd.class),
  WRITE_REQUEST("io.kedge.write.request", WriteRequest.class),
  WRITE_RESPONSE("io.kedge.write.response", WriteResponse.class),
  RULE_MESSAGE("io.kedge.rule.message", RuleMessage.class),
  RULE_RESPONSE("io.kedge.rule.response", RuleResponse.class),
  EVENTBUS_MESSAGE("io.kedge.eventbus.message", EventbusMessage.class),
  TWIN_REPORT("io.kedge.twin.report", TwinReport.class),
  DEVICE_STATE("io.kedge.device.state", DeviceState.class),
  NODE_HEARTBEAT("io.kedge.node.heartbeat", NodeHeartbeat.class),
  REFERRER_NODES("io.kedge.router.referrer-nodes", ReferrerNodes.class);

  /** The major version this code reads and writes. */
  public static final int MAJOR_VERSION = 1;

  private static final Map<String, EventType> BY_NAME =
      Arrays.stream(values()).collect(Collectors.toMap(t -> t.name, Function.identity()));

  private final String name;
  private final Class<? extends EventData> dataClass;

  EventType(String name, Class<? extends EventData> dataClass) {
    this.name = name;
    this.dataClass = dataClass;
  }

  /** The type's name without its version, e.g. {@code io.kedge.resource.upsert}. */
  public String baseName() {
    return name;
  }

  /** The CloudEvents {@code type} attribute, e.g. {@code io.kedge.resource.upsert.v1}. */
  public String ceType() {
    return name + ".v" + MAJOR_VERSION;
  }

  public Class<? extends EventData> dataClass() {
    return dataClass;
  }

  /** The JSON Schema of this type's {@code data}, on the classpath. */
  public String schemaResource() {
    return "/io/kedge/schemas/v" + MAJOR_VERSION + "/" + fileStem() + ".schema.json";
  }

  /** The file name stem used for schemas and golden samples, e.g. {@code resource-upsert}. */
  public String fileStem() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /**
   * Resolves a CloudEvents type attribute.
   *
   * @throws InvalidEventException naming attribute {@code type} when the name is unknown or its
   *     major version is not {@value #MAJOR_VERSION}
   */
  public static EventType fromCeType(String ceType) {
    if (ceType == null) {
      throw new InvalidEventException("type", "is missing");
    }
    int dot = ceType.lastIndexOf(".v");
    if (dot < 0) {
      throw new InvalidEventException(
          "type", "'" + ceType + "' has no major version suffix '.v<N>'");
    }
    EventType type = BY_NAME.get(ceType.substring(0, dot));
    if (type == null) {
      throw new InvalidEventException("type", "'" + ceType + "' is not a kedge event type");
    }
    String version = ceType.substring(dot + 2);
    if (!version.equals(Integer.toString(MAJOR_VERSION))) {
      throw new InvalidEventException(
          "type",
          "'"
              + ceType
              + "' has major version "
              + version
              + " but this reader understands only v"
              + MAJOR_VERSION
              + "; upgrade this kedge component");
    }
    return type;
  }
}
