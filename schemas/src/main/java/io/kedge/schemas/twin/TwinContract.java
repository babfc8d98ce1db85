package io.kedge.schemas.twin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * KubeEdge's MQTT device-twin contract (docs/compatibility.md), spoken by the edge's twin bridge
 * and by mappers: topics under {@code $hw/events/device/{id}/} and their JSON messages. Values are
 * strings on the wire, as in KubeEdge. One extension: a mapper that cannot carry out a desired
 * value reports the reason as {@code twin.<prop>.error}; the bridge keeps it in the twin's reported
 * metadata, where users see it.
 */
public final class TwinContract {
  public static final String PREFIX = "$hw/events/device/";
  public static final String ALL_TWIN_UPDATES = PREFIX + "+/twin/update";
  public static final String ALL_STATE_UPDATES = PREFIX + "+/state/update";
  public static final String ALL_TWIN_GETS = PREFIX + "+/twin/get";
  public static final String ALL_DELTAS = PREFIX + "+/twin/update/delta";
  public static final String ALL_GET_RESULTS = PREFIX + "+/twin/get/result";

  private static final ObjectMapper JSON = new ObjectMapper();

  private TwinContract() {}

  public static String twinUpdate(String deviceId) {
    return PREFIX + deviceId + "/twin/update";
  }

  public static String delta(String deviceId) {
    return PREFIX + deviceId + "/twin/update/delta";
  }

  public static String stateUpdate(String deviceId) {
    return PREFIX + deviceId + "/state/update";
  }

  public static String twinGet(String deviceId) {
    return PREFIX + deviceId + "/twin/get";
  }

  public static String getResult(String deviceId) {
    return PREFIX + deviceId + "/twin/get/result";
  }

  public static String twinUpdateResult(String deviceId) {
    return PREFIX + deviceId + "/twin/update/result";
  }

  public static String twinUpdateDocument(String deviceId) {
    return PREFIX + deviceId + "/twin/update/document";
  }

  public static String stateUpdateResult(String deviceId) {
    return PREFIX + deviceId + "/state/update/result";
  }

  /**
   * Where an edge app asks for the node's devices: {@code $hw/events/node/{node}/membership/get}.
   */
  public static String membershipGet(String node) {
    return NODE_PREFIX + node + "/membership/get";
  }

  public static String membershipGetResult(String node) {
    return NODE_PREFIX + node + "/membership/get/result";
  }

  /** Where devices added to and removed from the node are announced. */
  public static String membershipUpdated(String node) {
    return NODE_PREFIX + node + "/membership/updated";
  }

  public static final String NODE_PREFIX = "$hw/events/node/";

  /** The event id of a message, empty when it has none (the answer then carries none either). */
  public static String eventId(byte[] payload) {
    try {
      JsonNode message = JSON.readTree(payload);
      return message == null ? "" : message.path("event_id").asText("");
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * {@code twin/update/result}: the twins as they are after the update, answering {@code eventId}.
   */
  public static byte[] updateResult(String eventId, Map<String, Twin> twins, long nowMs) {
    ObjectNode message = envelope(nowMs).put("event_id", eventId);
    putTwins(message, twins, nowMs);
    return bytes(message);
  }

  /**
   * {@code twin/update/document}: each updated twin as it was ({@code last}) and as it is ({@code
   * current}).
   */
  public static byte[] updateDocument(
      String eventId, Map<String, Twin> before, Map<String, Twin> after, long nowMs) {
    ObjectNode message = envelope(nowMs).put("event_id", eventId);
    ObjectNode twin = message.putObject("twin");
    after.forEach(
        (name, current) -> {
          ObjectNode doc = twin.putObject(name);
          Twin last = before.get(name);
          doc.set("last", last == null ? null : msgTwin(last, nowMs));
          doc.set("current", msgTwin(current, nowMs));
        });
    return bytes(message);
  }

  /** {@code state/update/result}: the device's name, state and when it was last online. */
  public static byte[] stateResult(
      String eventId, String name, String state, String lastOnline, long nowMs) {
    ObjectNode message = envelope(nowMs).put("event_id", eventId);
    message
        .putObject("device")
        .put("name", name)
        .put("state", state)
        .put("last_online", lastOnline);
    return bytes(message);
  }

  /** A device as the membership messages list it: id, name, description, state, twins. */
  public record Member(String id, String description, String state, Map<String, Twin> twins) {}

  /** {@code membership/get/result}: every device of the node. */
  public static byte[] membershipResult(String eventId, List<Member> devices, long nowMs) {
    ObjectNode message = envelope(nowMs).put("event_id", eventId);
    ArrayNode list = message.putArray("devices");
    devices.forEach(d -> list.add(member(d, nowMs)));
    return bytes(message);
  }

  /** {@code membership/updated}: devices added to and removed from the node. */
  public static byte[] membershipUpdate(List<Member> added, List<String> removed, long nowMs) {
    ObjectNode message = envelope(nowMs);
    ArrayNode addedList = message.putArray("added_devices");
    added.forEach(d -> addedList.add(member(d, nowMs)));
    ArrayNode removedList = message.putArray("removed_devices");
    removed.forEach(id -> removedList.addObject().put("id", id).put("name", id));
    return bytes(message);
  }

  private static ObjectNode member(Member device, long nowMs) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", device.id()).put("name", device.id());
    if (!device.description().isEmpty()) {
      node.put("description", device.description());
    }
    if (!device.state().isEmpty()) {
      node.put("state", device.state());
    }
    putTwins(node, device.twins(), nowMs);
    return node;
  }

  private static ObjectNode msgTwin(Twin twin, long nowMs) {
    ObjectNode wrapper = JSON.createObjectNode();
    putTwins(wrapper, Map.of("t", twin), nowMs);
    return (ObjectNode) wrapper.path("twin").path("t");
  }

  /** The device id a contract topic is about, if it is one. */
  public static Optional<String> deviceId(String topic) {
    if (!topic.startsWith(PREFIX)) {
      return Optional.empty();
    }
    int end = topic.indexOf('/', PREFIX.length());
    return end <= PREFIX.length()
        ? Optional.empty()
        : Optional.of(topic.substring(PREFIX.length(), end));
  }

  /** A reported value (or the reason none could be had) of one property. */
  public record Reported(String value, String type, long timestampMs, String error) {
    public static Reported value(String value, String type, long timestampMs) {
      return new Reported(value, type, timestampMs, "");
    }

    public static Reported failure(String error, String type, long timestampMs) {
      return new Reported(null, type, timestampMs, error);
    }

    public boolean failed() {
      return !error.isEmpty();
    }

    public Reported {
      type = type == null ? "" : type;
      error = error == null ? "" : error;
    }
  }

  /** One twin as a device holds it: the desired (expected) and reported (actual) values. */
  public record Twin(String expected, String actual, String type) {}

  /** {@code twin/update}: what a mapper reports. */
  public static byte[] report(Map<String, Reported> twin, long nowMs) {
    ObjectNode message = envelope(nowMs);
    ObjectNode props = message.putObject("twin");
    twin.forEach(
        (name, reported) -> {
          ObjectNode prop = props.putObject(name);
          if (reported.value() != null) {
            ObjectNode actual = prop.putObject("actual");
            actual.put("value", reported.value());
            actual.putObject("metadata").put("timestamp", reported.timestampMs());
          }
          if (reported.failed()) {
            prop.put("error", reported.error());
          }
          prop.putObject("metadata").put("type", reported.type());
        });
    return bytes(message);
  }

  /**
   * Reads a {@code twin/update}.
   *
   * @throws IllegalArgumentException naming what is wrong with the message
   */
  public static Map<String, Reported> parseReport(byte[] payload) {
    JsonNode message = parse(payload, "twin/update");
    JsonNode twin = message.path("twin");
    if (!twin.isObject() || twin.isEmpty()) {
      throw new IllegalArgumentException("twin/update: 'twin' must be an object of properties");
    }
    long timestamp = message.path("timestamp").asLong(0);
    Map<String, Reported> reported = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> prop : twin.properties()) {
      JsonNode body = prop.getValue();
      String type = body.path("metadata").path("type").asText("");
      JsonNode actual = body.path("actual");
      String error = body.path("error").asText("");
      JsonNode value = actual.path("value");
      if (value.isMissingNode() || value.isNull()) {
        if (error.isEmpty() && body.path("expected").has("value")) {
          continue; // an edge app setting the expected value: parseExpected
        }
        if (error.isEmpty()) {
          throw new IllegalArgumentException(
              "twin/update: property '" + prop.getKey() + "' has no actual.value and no error");
        }
        reported.put(prop.getKey(), Reported.failure(error, type, timestamp));
        continue;
      }
      if (!value.isValueNode()) {
        throw new IllegalArgumentException(
            "twin/update: actual.value of '" + prop.getKey() + "' must be a string, not " + value);
      }
      long at = actual.path("metadata").path("timestamp").asLong(timestamp);
      reported.put(prop.getKey(), new Reported(value.asText(), type, at, error));
    }
    return reported;
  }

  /**
   * The expected (desired) values a {@code twin/update} sets, as edge apps set them in KubeEdge:
   * {@code twin.<prop>.expected.value}.
   *
   * @throws IllegalArgumentException for an expected value that is not a string or number
   */
  public static Map<String, String> parseExpected(byte[] payload) {
    JsonNode twin = parse(payload, "twin/update").path("twin");
    Map<String, String> expected = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> prop : twin.properties()) {
      JsonNode value = prop.getValue().path("expected").path("value");
      if (value.isMissingNode() || value.isNull()) {
        continue;
      }
      if (!value.isValueNode()) {
        throw new IllegalArgumentException(
            "twin/update: expected.value of '"
                + prop.getKey()
                + "' must be a string, not "
                + value);
      }
      expected.put(prop.getKey(), value.asText());
    }
    return expected;
  }

  /** {@code state/update}. */
  public static byte[] state(String state, long nowMs) {
    return bytes(envelope(nowMs).put("state", state));
  }

  /**
   * Reads a {@code state/update}'s state.
   *
   * @throws IllegalArgumentException for a message without a state
   */
  public static String parseState(byte[] payload) {
    String state = parse(payload, "state/update").path("state").asText("");
    if (state.isEmpty()) {
      throw new IllegalArgumentException("state/update: 'state' is missing");
    }
    return state;
  }

  /** {@code twin/update/delta}: desired values that differ from the reported ones. */
  public static byte[] delta(Map<String, String> delta, Map<String, Twin> twins, long nowMs) {
    ObjectNode message = envelope(nowMs);
    ObjectNode values = message.putObject("delta");
    delta.forEach(values::put);
    putTwins(message, twins, nowMs);
    return bytes(message);
  }

  /** Reads the desired values of a {@code twin/update/delta}. */
  public static Map<String, String> parseDelta(byte[] payload) {
    JsonNode delta = parse(payload, "twin/update/delta").path("delta");
    Map<String, String> values = new LinkedHashMap<>();
    delta.properties().forEach(e -> values.put(e.getKey(), e.getValue().asText()));
    return values;
  }

  /** {@code twin/get}: a request for the device's twins. */
  public static byte[] get(long nowMs) {
    return bytes(envelope(nowMs));
  }

  /** {@code twin/get/result}; {@code error} is empty unless the device is unknown. */
  public static byte[] getResult(Map<String, Twin> twins, String error, long nowMs) {
    ObjectNode message = envelope(nowMs);
    putTwins(message, twins, nowMs);
    if (!error.isEmpty()) {
      message.put("code", 404).put("reason", error);
    }
    return bytes(message);
  }

  /** Reads the twins of a {@code twin/get/result} or delta. */
  public static Map<String, Twin> parseTwins(byte[] payload) {
    JsonNode twin = parse(payload, "twin/get/result").path("twin");
    Map<String, Twin> twins = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> prop : twin.properties()) {
      JsonNode body = prop.getValue();
      twins.put(
          prop.getKey(),
          new Twin(
              textOrNull(body.path("expected").path("value")),
              textOrNull(body.path("actual").path("value")),
              body.path("metadata").path("type").asText("")));
    }
    return twins;
  }

  /** The twins of a Device object: {@code status.twins[]} with desired and reported values. */
  public static Map<String, Twin> twinsOf(JsonNode device) {
    Map<String, Twin> twins = new LinkedHashMap<>();
    for (JsonNode twin : device.path("status").path("twins")) {
      String name = twin.path("propertyName").asText("");
      if (name.isEmpty()) {
        continue;
      }
      JsonNode desired = twin.path("desired");
      JsonNode reported = twin.path("reported");
      String type = desired.path("metadata").path("type").asText("");
      if (type.isEmpty()) {
        type = reported.path("metadata").path("type").asText("");
      }
      twins.put(
          name,
          new Twin(textOrNull(desired.path("value")), textOrNull(reported.path("value")), type));
    }
    return twins;
  }

  private static void putTwins(ObjectNode message, Map<String, Twin> twins, long nowMs) {
    ObjectNode props = message.putObject("twin");
    twins.forEach(
        (name, twin) -> {
          ObjectNode prop = props.putObject(name);
          if (twin.expected() != null) {
            ObjectNode expected = prop.putObject("expected");
            expected.put("value", twin.expected());
            expected.putObject("metadata").put("timestamp", nowMs);
          }
          if (twin.actual() != null) {
            ObjectNode actual = prop.putObject("actual");
            actual.put("value", twin.actual());
            actual.putObject("metadata").put("timestamp", nowMs);
          }
          prop.putObject("metadata").put("type", twin.type());
        });
  }

  private static String textOrNull(JsonNode node) {
    return node.isMissingNode() || node.isNull() ? null : node.asText();
  }

  private static ObjectNode envelope(long nowMs) {
    ObjectNode message = JSON.createObjectNode();
    message.put("event_id", "");
    message.put("timestamp", nowMs);
    return message;
  }

  private static JsonNode parse(byte[] payload, String what) {
    try {
      JsonNode message = JSON.readTree(payload);
      if (message == null || !message.isObject()) {
        throw new IllegalArgumentException(what + ": the message must be a JSON object");
      }
      return message;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(what + ": not JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException(what + ": unreadable: " + e.getMessage(), e);
    }
  }

  private static byte[] bytes(ObjectNode message) {
    try {
      return JSON.writeValueAsBytes(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
