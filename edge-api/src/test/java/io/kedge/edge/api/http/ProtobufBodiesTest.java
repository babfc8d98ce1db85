package io.kedge.edge.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.gson.annotations.SerializedName;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.UnknownFieldSet;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Authentication;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The mapping from Kubernetes' protobuf messages to the JSON kube-apiserver serves. */
class ProtobufBodiesTest {
  private static DynamicMessage.Builder message(String name) {
    return DynamicMessage.newBuilder(V1.getDescriptor().findMessageTypeByName(name));
  }

  private static DynamicMessage.Builder set(DynamicMessage.Builder b, String field, Object value) {
    return b.setField(b.getDescriptorForType().findFieldByName(field), value);
  }

  private static byte[] envelope(String kind, DynamicMessage object) throws Exception {
    return envelope("v1", kind, object);
  }

  /** {@code object} as a Go client sends it: the magic, then the {@code runtime.Unknown}. */
  static byte[] envelope(String apiVersion, String kind, com.google.protobuf.Message object)
      throws Exception {
    Descriptor unknown = Runtime.getDescriptor().findMessageTypeByName("Unknown");
    Descriptor typeMeta = unknown.findFieldByName("typeMeta").getMessageType();
    DynamicMessage meta =
        DynamicMessage.newBuilder(typeMeta)
            .setField(typeMeta.findFieldByName("apiVersion"), apiVersion)
            .setField(typeMeta.findFieldByName("kind"), kind)
            .build();
    DynamicMessage wrapped =
        DynamicMessage.newBuilder(unknown)
            .setField(unknown.findFieldByName("typeMeta"), meta)
            .setField(unknown.findFieldByName("raw"), object.toByteString())
            .build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {'k', '8', 's', 0});
    out.write(wrapped.toByteArray());
    return out.toByteArray();
  }

  @Test
  void inlinedStructsAndGoZeroValuesBecomeKubernetesJson() throws Exception {
    DynamicMessage configMapSource =
        set(
                message("ConfigMapVolumeSource"),
                "localObjectReference",
                set(message("LocalObjectReference"), "name", "settings").build())
            .build();
    DynamicMessage volumeSource =
        set(message("VolumeSource"), "configMap", configMapSource).build();
    DynamicMessage volume =
        set(set(message("Volume"), "name", "config"), "volumeSource", volumeSource).build();
    DynamicMessage spec =
        message("PodSpec")
            .addRepeatedField(
                V1.getDescriptor().findMessageTypeByName("PodSpec").findFieldByName("volumes"),
                volume)
            .build();
    Descriptor objectMeta =
        spec.getDescriptorForType().getFile().getDependencies().stream()
            .flatMap(f -> f.getMessageTypes().stream())
            .filter(m -> m.getName().equals("ObjectMeta"))
            .findFirst()
            .orElseThrow();
    DynamicMessage metadata =
        DynamicMessage.newBuilder(objectMeta)
            .setField(objectMeta.findFieldByName("name"), "web")
            .setField(objectMeta.findFieldByName("generateName"), "")
            .build();
    DynamicMessage pod = set(set(message("Pod"), "metadata", metadata), "spec", spec).build();

    ObjectNode json = ProtobufBodies.decode(envelope("Pod", pod));
    assertThat(json.toString())
        .isEqualTo(
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\"},"
                + "\"spec\":{\"volumes\":[{\"name\":\"config\",\"configMap\":{\"name\":\"settings\"}}]}}");
  }

  @Test
  void fieldsWhoseProtobufNameIsNotTheirJsonNameGetTheJsonName() throws Exception {
    // a kubelet's TokenRequest: BoundObjectReference's uid is "uID" in the model
    Descriptor ref = V1Authentication.getDescriptor().findMessageTypeByName("BoundObjectReference");
    DynamicMessage bound =
        DynamicMessage.newBuilder(ref)
            .setField(ref.findFieldByName("kind"), "Pod")
            .setField(ref.findFieldByName("name"), "web")
            .setField(ref.findFieldByName("uID"), "4d1b4f2e-0000-4000-8000-000000000001")
            .build();
    Descriptor spec = V1Authentication.getDescriptor().findMessageTypeByName("TokenRequestSpec");
    DynamicMessage tokenSpec =
        DynamicMessage.newBuilder(spec)
            .addRepeatedField(spec.findFieldByName("audiences"), "https://kubernetes.default.svc")
            .setField(spec.findFieldByName("expirationSeconds"), 3607L)
            .setField(spec.findFieldByName("boundObjectRef"), bound)
            .build();
    Descriptor request = V1Authentication.getDescriptor().findMessageTypeByName("TokenRequest");
    DynamicMessage token =
        DynamicMessage.newBuilder(request)
            .setField(request.findFieldByName("spec"), tokenSpec)
            .build();

    ObjectNode json =
        ProtobufBodies.decode(envelope("authentication.k8s.io/v1", "TokenRequest", token));

    assertThat(json.at("/spec/boundObjectRef/uid").asText())
        .isEqualTo("4d1b4f2e-0000-4000-8000-000000000001");
    assertThat(json.at("/spec/boundObjectRef").has("uID")).isFalse();
    assertThat(json.at("/spec/expirationSeconds").asLong()).isEqualTo(3607);
    assertThat(
            UnknownFields.byModel(
                json, ProtobufBodies.descriptor("authentication.k8s.io/v1", "TokenRequest").get()))
        .as("the JSON name is also the one checked for unknown fields")
        .isEmpty();
  }

  @Test
  void goStringSlicesOfTheirOwnTypeBecomeArrays() throws Exception {
    // a SubjectAccessReview of a service account token's user carries extra values
    Descriptor spec =
        io.kubernetes.client.proto.V1Authorization.getDescriptor()
            .findMessageTypeByName("SubjectAccessReviewSpec");
    FieldDescriptor extra = spec.findFieldByName("extra");
    Descriptor entry = extra.getMessageType();
    Descriptor value = entry.findFieldByName("value").getMessageType();
    DynamicMessage values =
        DynamicMessage.newBuilder(value)
            .addRepeatedField(value.findFieldByName("items"), "a1b2")
            .addRepeatedField(value.findFieldByName("items"), "c3")
            .build();
    DynamicMessage specMessage =
        DynamicMessage.newBuilder(spec)
            .setField(spec.findFieldByName("user"), "system:serviceaccount:default:app")
            .addRepeatedField(
                extra,
                DynamicMessage.newBuilder(entry)
                    .setField(
                        entry.findFieldByName("key"), "authentication.kubernetes.io/credential-id")
                    .setField(entry.findFieldByName("value"), values)
                    .build())
            .build();
    Descriptor review =
        io.kubernetes.client.proto.V1Authorization.getDescriptor()
            .findMessageTypeByName("SubjectAccessReview");
    DynamicMessage sar =
        DynamicMessage.newBuilder(review)
            .setField(review.findFieldByName("spec"), specMessage)
            .build();
    ObjectNode json =
        ProtobufBodies.decode(envelope("authorization.k8s.io/v1", "SubjectAccessReview", sar));
    assertThat(json.at("/spec/extra").toString())
        .isEqualTo("{\"authentication.kubernetes.io/credential-id\":[\"a1b2\",\"c3\"]}");
  }

  @Test
  void fieldsTheModelsDoNotKnowAreRefusedNotDropped() throws Exception {
    DynamicMessage withStranger =
        set(message("ConfigMap"), "immutable", true)
            .setUnknownFields(
                UnknownFieldSet.newBuilder()
                    .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(1).build())
                    .build())
            .build();
    assertThatThrownBy(() -> ProtobufBodies.decode(envelope("ConfigMap", withStranger)))
        .isInstanceOf(WriteRequests.UndecodableException.class)
        .hasMessageContaining("[99]");
    assertThatThrownBy(() -> ProtobufBodies.decode(envelope("Lease", withStranger)))
        .hasMessageContaining("no protobuf model of v1 Lease");
    assertThat(ProtobufBodies.goDuration(90_500_000_000L)).isEqualTo("1m30.5s");
  }

  /**
   * Every field of every message maps to the JSON name the official Java client's model of that
   * type uses (its models are generated from kube-apiserver's OpenAPI, not from the protobuf
   * files), and every field of a client model is reachable from the message: the inlined structs
   * and the names that differ are exactly those {@link ProtobufBodies} lists.
   */
  @Test
  void jsonNamesAndInlinedStructsMatchTheOfficialClientsModels() {
    List<String> mismatches = new ArrayList<>();
    int compared = 0;
    for (Descriptor message : ProtobufBodies.messages()) {
      Class<?> model = clientModel(message);
      if (model == null) {
        continue;
      }
      compared++;
      Set<String> clientNames = new TreeSet<>();
      for (Field field : model.getDeclaredFields()) {
        SerializedName json = field.getAnnotation(SerializedName.class);
        if (json != null) {
          clientNames.add(json.value());
        }
      }
      Set<String> protobufNames = new TreeSet<>();
      collectJsonNames(message, protobufNames);
      // a kind's apiVersion and kind travel in the envelope, not in its message
      for (String typeMeta : new String[] {"apiVersion", "kind"}) {
        if (!protobufNames.contains(typeMeta)) {
          clientNames.remove(typeMeta);
        }
      }
      if (!clientNames.equals(protobufNames)) {
        Set<String> onlyProtobuf = new TreeSet<>(protobufNames);
        onlyProtobuf.removeAll(clientNames);
        Set<String> onlyClient = new TreeSet<>(clientNames);
        onlyClient.removeAll(protobufNames);
        mismatches.add(
            message.getFullName()
                + " ("
                + model.getSimpleName()
                + "): only in protobuf "
                + onlyProtobuf
                + ", only in the client "
                + onlyClient);
      }
    }
    assertThat(compared).as("messages with a client model").isGreaterThan(450);
    assertThat(mismatches).isEmpty();
  }

  private static void collectJsonNames(Descriptor message, Set<String> names) {
    for (FieldDescriptor field : message.getFields()) {
      if (ProtobufBodies.inline(field)) {
        collectJsonNames(field.getMessageType(), names);
      } else {
        names.add(ProtobufBodies.jsonName(field));
      }
    }
  }

  /** The client's model class of a message, if it has one of its fields. */
  private static Class<?> clientModel(Descriptor message) {
    if (message.getFullName().equals("k8s.io.api.core.v1.Preconditions")) {
      return null; // core's old Preconditions; the client's V1Preconditions is meta's
    }
    for (String name : OpenApiDescriptions.modelNames(message)) {
      try {
        return Class.forName("io.kubernetes.client.openapi.models." + name);
      } catch (ClassNotFoundException e) {
        // the other name
      }
    }
    return null;
  }
}
