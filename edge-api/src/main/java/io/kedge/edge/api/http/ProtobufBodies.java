package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.kedge.edge.api.http.WriteRequests.UndecodableException;
import io.kedge.schemas.EventCodec;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Admissionregistration;
import io.kubernetes.client.proto.V1Apps;
import io.kubernetes.client.proto.V1Authentication;
import io.kubernetes.client.proto.V1Authorization;
import io.kubernetes.client.proto.V1Autoscaling;
import io.kubernetes.client.proto.V1Batch;
import io.kubernetes.client.proto.V1Certificates;
import io.kubernetes.client.proto.V1Coordination;
import io.kubernetes.client.proto.V1Discovery;
import io.kubernetes.client.proto.V1Events;
import io.kubernetes.client.proto.V1Networking;
import io.kubernetes.client.proto.V1Node;
import io.kubernetes.client.proto.V1Policy;
import io.kubernetes.client.proto.V1Rbac;
import io.kubernetes.client.proto.V1Scheduling;
import io.kubernetes.client.proto.V1Storage;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads Kubernetes' protobuf wire format ({@code application/vnd.kubernetes.protobuf}), which
 * kubectl's typed commands ({@code create configmap}, {@code run}, {@code expose}, ...) send: the
 * {@code k8s\0} magic, then a {@code runtime.Unknown} envelope naming apiVersion and kind around
 * the object's message. The messages are decoded by protobuf-java ({@code DynamicMessage}) with the
 * descriptors of the Kubernetes models ({@code io.kubernetes:client-java-proto}); this class only
 * maps a decoded message to the JSON kube-apiserver would serve for it.
 *
 * <p>Go writes every non-pointer field, so a body carries empty strings and empty lists for fields
 * the client never set; like Go's {@code omitempty} they are left out of the JSON (numbers and
 * booleans are kept: their zero is a value). A field the models do not know is refused rather than
 * dropped.
 */
final class ProtobufBodies {
  private static final byte[] MAGIC = {'k', '8', 's', 0};
  private static final String META = "k8s.io.apimachinery.pkg.apis.meta.v1.";
  private static final String TIME = META + "Time";
  private static final String MICRO_TIME = META + "MicroTime";
  private static final String DURATION = META + "Duration";
  private static final String FIELDS_V1 = META + "FieldsV1";
  private static final String QUANTITY = "k8s.io.apimachinery.pkg.api.resource.Quantity";
  private static final String INT_OR_STRING = "k8s.io.apimachinery.pkg.util.intstr.IntOrString";
  private static final String RAW_EXTENSION = "k8s.io.apimachinery.pkg.runtime.RawExtension";

  /**
   * Go string slices with a protobuf message of their own ({@code type ExtraValue []string}): a
   * message of one repeated {@code items} field, a JSON array of strings.
   */
  private static final Set<String> STRING_LISTS =
      Set.of(
          "k8s.io.api.authentication.v1.ExtraValue",
          "k8s.io.api.authorization.v1.ExtraValue",
          "k8s.io.api.certificates.v1.ExtraValue",
          META + "Verbs");

  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSX").withZone(ZoneOffset.UTC);
  private static final JsonNodeFactory NODES = EventCodec.json().getNodeFactory();

  /** The envelope, {@code runtime.Unknown}. */
  private static final Descriptor UNKNOWN =
      Runtime.getDescriptor().findMessageTypeByName("Unknown");

  /**
   * Every message of the models, by full name, e.g. {@code k8s.io.api.core.v1.ConfigMap}. Only the
   * file descriptors are used (the lean edge image ships the outer classes that hold them, not the
   * generated message classes).
   */
  private static final Map<String, Descriptor> MESSAGES = index();

  private ProtobufBodies() {}

  private static Map<String, Descriptor> index() {
    Map<String, Descriptor> messages = new HashMap<>();
    for (FileDescriptor file :
        List.of(
            V1.getDescriptor(),
            V1Apps.getDescriptor(),
            V1Batch.getDescriptor(),
            V1Networking.getDescriptor(),
            V1Policy.getDescriptor(),
            V1Rbac.getDescriptor(),
            V1Scheduling.getDescriptor(),
            V1Storage.getDescriptor(),
            V1Autoscaling.getDescriptor(),
            V1Certificates.getDescriptor(),
            V1Admissionregistration.getDescriptor(),
            V1Authentication.getDescriptor(),
            V1Authorization.getDescriptor(),
            V1Coordination.getDescriptor(),
            V1Discovery.getDescriptor(),
            V1Events.getDescriptor(),
            V1Node.getDescriptor(),
            Meta.getDescriptor())) {
      for (Descriptor message : file.getMessageTypes()) {
        messages.put(message.getFullName(), message);
      }
    }
    return Map.copyOf(messages);
  }

  /**
   * The structs the Kubernetes API types of the v1 groups embed: in protobuf a field of their own,
   * in JSON their fields stand in the parent object (a probe's {@code httpGet}, a volume's {@code
   * configMap}, a key selector's {@code name}). Read off the embedded fields of k8s.io/api's {@code
   * types.go}; a kind not listed here would show its embedded struct as a field.
   */
  private static final java.util.Set<String> INLINE =
      java.util.Set.of(
          "k8s.io.api.core.v1.Volume.volumeSource",
          "k8s.io.api.core.v1.PersistentVolumeSpec.persistentVolumeSource",
          "k8s.io.api.core.v1.SecretProjection.localObjectReference",
          "k8s.io.api.core.v1.ConfigMapVolumeSource.localObjectReference",
          "k8s.io.api.core.v1.ConfigMapProjection.localObjectReference",
          "k8s.io.api.core.v1.ConfigMapKeySelector.localObjectReference",
          "k8s.io.api.core.v1.SecretKeySelector.localObjectReference",
          "k8s.io.api.core.v1.ConfigMapEnvSource.localObjectReference",
          "k8s.io.api.core.v1.SecretEnvSource.localObjectReference",
          "k8s.io.api.core.v1.Probe.handler",
          "k8s.io.api.core.v1.EphemeralContainer.ephemeralContainerCommon",
          "k8s.io.api.networking.v1.IngressRule.ingressRuleValue",
          "k8s.io.api.admissionregistration.v1.NamedRuleWithOperations.ruleWithOperations",
          "k8s.io.api.admissionregistration.v1.RuleWithOperations.rule");

  static boolean inline(FieldDescriptor field) {
    return INLINE.contains(field.getFullName());
  }

  /**
   * The fields whose protobuf name is not their JSON name (go-to-protobuf names a field after its
   * Go name where the Go struct tag says so): found by comparing the models' field names with the
   * {@code json} tags of k8s.io/api's {@code types.go}. {@code DaemonEndpoint.Port} is not here:
   * its JSON name is {@code Port}.
   */
  private static final Map<String, String> JSON_NAMES =
      Map.of(
          "k8s.io.api.authentication.v1.BoundObjectReference.uID", "uid",
          "k8s.io.api.networking.v1.IngressClassParametersReference.aPIGroup", "apiGroup",
          "k8s.io.api.admissionregistration.v1.MutatingWebhookConfiguration.Webhooks", "webhooks",
          "k8s.io.api.admissionregistration.v1.ValidatingWebhookConfiguration.Webhooks", "webhooks",
          "k8s.io.api.admissionregistration.v1.Validation.Expression", "expression",
          "k8s.io.api.admissionregistration.v1.Variable.Expression", "expression",
          "k8s.io.api.admissionregistration.v1.Variable.Name", "name");

  /** The name of {@code field} in Kubernetes JSON. */
  static String jsonName(FieldDescriptor field) {
    return JSON_NAMES.getOrDefault(field.getFullName(), field.getName());
  }

  /** The field a JSON property names in {@code message}, looking into inlined fields. */
  static FieldDescriptor jsonField(Descriptor message, String name) {
    FieldDescriptor field = null;
    for (FieldDescriptor candidate : message.getFields()) {
      if (jsonName(candidate).equals(name)) {
        field = candidate;
      }
    }
    if (field != null && !inline(field)) {
      return field;
    }
    for (FieldDescriptor candidate : message.getFields()) {
      if (inline(candidate)) {
        FieldDescriptor inner = jsonField(candidate.getMessageType(), name);
        if (inner != null) {
          return inner;
        }
      }
    }
    return null;
  }

  /** Every message of the models. */
  static Collection<Descriptor> messages() {
    return MESSAGES.values();
  }

  /** The model of a kind, when the protobuf models have one. */
  static java.util.Optional<Descriptor> descriptor(String apiVersion, String kind) {
    return java.util.Optional.ofNullable(MESSAGES.get(messageName(apiVersion, kind)));
  }

  /** Whether {@code body} starts with the protobuf envelope's magic. */
  static boolean isProtobuf(byte[] body) {
    if (body.length < MAGIC.length) {
      return false;
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (body[i] != MAGIC[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The object a protobuf body carries, as JSON with its apiVersion and kind.
   *
   * @throws UndecodableException when the body is not the envelope, names a kind without a model
   *     here, or holds fields the model does not know
   */
  static ObjectNode decode(byte[] body) {
    if (!isProtobuf(body)) {
      throw new UndecodableException(
          "the body is not a Kubernetes protobuf object: it does not start with the k8s\\0 magic");
    }
    DynamicMessage envelope;
    try {
      envelope =
          DynamicMessage.parseFrom(
              UNKNOWN, ByteString.copyFrom(body, MAGIC.length, body.length - MAGIC.length));
    } catch (InvalidProtocolBufferException e) {
      throw new UndecodableException("the protobuf envelope cannot be read: " + e.getMessage());
    }
    Message typeMeta = (Message) field(envelope, "typeMeta", null);
    String apiVersion = typeMeta == null ? "" : (String) field(typeMeta, "apiVersion", "");
    String kind = typeMeta == null ? "" : (String) field(typeMeta, "kind", "");
    String encoding = (String) field(envelope, "contentEncoding", "");
    if (!encoding.isEmpty()) {
      throw new UndecodableException(
          "protobuf bodies with content encoding '" + encoding + "' are not supported");
    }
    Descriptor descriptor = MESSAGES.get(messageName(apiVersion, kind));
    if (descriptor == null) {
      throw new UndecodableException(
          "this edge API has no protobuf model of "
              + apiVersion
              + " "
              + kind
              + ": send it as application/json");
    }
    DynamicMessage message;
    try {
      message =
          DynamicMessage.parseFrom(
              descriptor, (ByteString) field(envelope, "raw", ByteString.EMPTY));
    } catch (InvalidProtocolBufferException e) {
      throw new UndecodableException(
          "the " + kind + " in the protobuf body cannot be read: " + e.getMessage());
    }
    ObjectNode object = (ObjectNode) toJson(message, kind);
    ObjectNode typed = NODES.objectNode();
    typed.put("apiVersion", apiVersion).put("kind", kind);
    typed.setAll(object);
    return typed;
  }

  /**
   * The full protobuf name of a kind: {@code apps/v1 Deployment -> k8s.io.api.apps.v1.Deployment}.
   */
  static String messageName(String apiVersion, String kind) {
    if (kind.equals("DeleteOptions")) {
      return META + kind; // sent with the apiVersion of the resource, or meta.k8s.io/v1
    }
    return io.kedge.kube.objects.ApplySchema.modelName(apiVersion, kind);
  }

  /** Whether {@code message} is a Go string slice of its own type, a JSON array of strings. */
  static boolean isStringList(Descriptor message) {
    return STRING_LISTS.contains(message.getFullName());
  }

  private static JsonNode toJson(Message message, String path) {
    if (!message.getUnknownFields().asMap().isEmpty()) {
      throw new UndecodableException(
          "the protobuf body has fields "
              + new TreeSet<>(message.getUnknownFields().asMap().keySet())
              + " of "
              + path
              + " that this edge API's "
              + message.getDescriptorForType().getFullName()
              + " does not know: send it as application/json");
    }
    if (isStringList(message.getDescriptorForType())) {
      ArrayNode items = NODES.arrayNode();
      FieldDescriptor field = message.getDescriptorForType().findFieldByName("items");
      ((List<?>) message.getField(field)).forEach(item -> items.add((String) item));
      return items;
    }
    switch (message.getDescriptorForType().getFullName()) {
      case TIME -> {
        long seconds = (long) field(message, "seconds", 0L);
        return NODES.textNode(Instant.ofEpochSecond(seconds).toString());
      }
      case MICRO_TIME -> {
        long seconds = (long) field(message, "seconds", 0L);
        int nanos = (int) field(message, "nanos", 0);
        return NODES.textNode(MICROS.format(Instant.ofEpochSecond(seconds, nanos)));
      }
      case DURATION -> {
        return NODES.textNode(goDuration((long) field(message, "duration", 0L)));
      }
      case QUANTITY -> {
        return NODES.textNode((String) field(message, "string", ""));
      }
      case INT_OR_STRING -> {
        return ((long) field(message, "type", 0L)) == 1
            ? NODES.textNode((String) field(message, "strVal", ""))
            : NODES.numberNode((int) field(message, "intVal", 0));
      }
      case RAW_EXTENSION, FIELDS_V1 -> {
        String rawField =
            message.getDescriptorForType().findFieldByName("raw") != null ? "raw" : "Raw";
        return rawJson((ByteString) field(message, rawField, ByteString.EMPTY), path);
      }
      default -> {
        ObjectNode object = NODES.objectNode();
        for (Map.Entry<FieldDescriptor, Object> entry : message.getAllFields().entrySet()) {
          FieldDescriptor field = entry.getKey();
          String name = jsonName(field);
          JsonNode value = fieldJson(field, entry.getValue(), path + "." + name);
          if (value != null && inline(field) && value.isObject()) {
            object.setAll((ObjectNode) value); // Go's json:",inline"
          } else if (value != null) {
            object.set(name, value);
          }
        }
        return object;
      }
    }
  }

  /** A field's JSON, or null when Go's {@code omitempty} would leave it out. */
  private static JsonNode fieldJson(FieldDescriptor field, Object value, String path) {
    if (field.isMapField()) {
      ObjectNode map = NODES.objectNode();
      for (Object item : (List<?>) value) {
        Message entry = (Message) item;
        FieldDescriptor keyField = entry.getDescriptorForType().findFieldByName("key");
        FieldDescriptor valueField = entry.getDescriptorForType().findFieldByName("value");
        JsonNode mapped = scalarOrMessage(valueField, entry.getField(valueField), path);
        map.set(
            String.valueOf(entry.getField(keyField)), mapped == null ? NODES.textNode("") : mapped);
      }
      return map.isEmpty() ? null : map;
    }
    if (field.isRepeated()) {
      ArrayNode array = NODES.arrayNode();
      for (Object item : (List<?>) value) {
        JsonNode element = scalarOrMessage(field, item, path);
        array.add(element == null ? NODES.textNode("") : element);
      }
      return array.isEmpty() ? null : array;
    }
    JsonNode single = scalarOrMessage(field, value, path);
    if (single != null && single.isTextual() && single.asText().isEmpty()) {
      return null;
    }
    if (field.getType() == FieldDescriptor.Type.MESSAGE
        && field.getMessageType().getFullName().equals(TIME)
        && ((long) field((Message) value, "seconds", 0L)) == 0) {
      return null; // Go's zero time: null in JSON
    }
    return single;
  }

  private static JsonNode scalarOrMessage(FieldDescriptor field, Object value, String path) {
    return switch (field.getJavaType()) {
      case MESSAGE -> toJson((Message) value, path);
      case INT -> NODES.numberNode((Integer) value);
      case LONG -> NODES.numberNode((Long) value);
      case FLOAT -> NODES.numberNode((Float) value);
      case DOUBLE -> NODES.numberNode((Double) value);
      case BOOLEAN -> NODES.booleanNode((Boolean) value);
      case STRING -> NODES.textNode((String) value);
      case BYTE_STRING ->
          NODES.textNode(Base64.getEncoder().encodeToString(((ByteString) value).toByteArray()));
      case ENUM -> NODES.textNode(String.valueOf(value));
    };
  }

  private static Object field(Message message, String name, Object absent) {
    FieldDescriptor field = message.getDescriptorForType().findFieldByName(name);
    return field == null || !message.hasField(field) ? absent : message.getField(field);
  }

  private static JsonNode rawJson(ByteString raw, String path) {
    if (raw.isEmpty()) {
      return NODES.nullNode();
    }
    try {
      return EventCodec.json().readTree(raw.toByteArray());
    } catch (IOException e) {
      throw new UndecodableException(
          "the raw object at " + path + " in the protobuf body is not JSON: send application/json");
    }
  }

  /** Go's {@code time.Duration.String()}: {@code 1h2m3.5s}, {@code 150ms}, {@code 0s}. */
  static String goDuration(long nanos) {
    if (nanos == 0) {
      return "0s";
    }
    StringBuilder out = new StringBuilder(nanos < 0 ? "-" : "");
    long n = Math.abs(nanos);
    if (n < 1_000_000_000L) {
      if (n % 1_000_000 == 0) {
        return out.append(n / 1_000_000).append("ms").toString();
      }
      if (n % 1_000 == 0) {
        return out.append(n / 1_000).append("µs").toString();
      }
      return out.append(n).append("ns").toString();
    }
    long hours = n / 3_600_000_000_000L;
    long minutes = n / 60_000_000_000L % 60;
    long rest = n % 60_000_000_000L;
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      out.append(minutes).append('m');
    }
    java.math.BigDecimal seconds = java.math.BigDecimal.valueOf(rest, 9).stripTrailingZeros();
    return out.append(seconds.scale() < 0 ? seconds.setScale(0) : seconds).append('s').toString();
  }
}
