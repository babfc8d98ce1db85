package io.kedge.edge.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.annotations.SerializedName;
import io.kedge.schemas.EventCodec;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.proto.V1;
import io.swagger.annotations.ApiModel;
import io.swagger.annotations.ApiModelProperty;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The descriptions {@code /openapi/v3} adds to built-in kinds are generated from the official Java
 * client's models and its protobuf models' sources (test dependencies), so the committed resource
 * cannot drift from them: this test fails when it differs, and {@code -Dkedge.docs.update=true}
 * writes it again.
 */
class OpenApiDescriptionsTest {
  private static final String PACKAGE = "io/kubernetes/client/openapi/models/";

  @Test
  void theResourceMatchesTheClientsModels() throws Exception {
    assertCommitted(
        OpenApiDescriptions.RESOURCE, EventCodec.json().writeValueAsString(generated()));
  }

  @Test
  void thePatchTagsMatchTheModelsSources() throws Exception {
    // message, then JSON field name, to the extensions kube-apiserver's OpenAPI documents give it
    Map<String, Map<String, Map<String, String>>> tags = new TreeMap<>();
    for (ProtoComments.PatchTags tag : ProtoComments.patchTags()) {
      Map<String, String> extensions = new TreeMap<>();
      extensions.put(OpenApiDescriptions.PATCH_STRATEGY, tag.strategy());
      if (tag.mergeKey() != null) {
        extensions.put(OpenApiDescriptions.PATCH_MERGE_KEY, tag.mergeKey());
      }
      tags.computeIfAbsent(tag.message().getFullName(), m -> new TreeMap<>())
          .put(tag.jsonName(), extensions);
    }
    assertThat(tags.get("k8s.io.api.core.v1.PodSpec").get("containers"))
        .containsEntry(OpenApiDescriptions.PATCH_STRATEGY, "merge")
        .containsEntry(OpenApiDescriptions.PATCH_MERGE_KEY, "name");
    assertThat(tags.get("k8s.io.api.core.v1.PodSpec").get("volumes"))
        .containsEntry(OpenApiDescriptions.PATCH_STRATEGY, "merge,retainKeys");
    assertThat(tags.get("k8s.io.api.core.v1.Container").get("ports"))
        .containsEntry(OpenApiDescriptions.PATCH_MERGE_KEY, "containerPort");
    assertCommitted(
        OpenApiDescriptions.PATCH_TAGS_RESOURCE, EventCodec.json().writeValueAsString(tags));
  }

  private static void assertCommitted(String name, String expected) throws Exception {
    CommittedResources.assertCommitted(
        Path.of("src/main/resources/io/kedge/edge/api/http/" + name),
        expected,
        "./mvnw -pl edge-api test -Dtest=OpenApiDescriptionsTest -Dkedge.docs.update=true");
  }

  @Test
  void protoCommentsReadAsTheClientsDescriptions() throws Exception {
    // where both describe a field, Kubernetes' comment formatted here must read as the client's
    // description (both come from the same Go comment; the client's generator turned line breaks
    // into spaces), so those that fill the gaps read as kube-apiserver writes them; a few differ
    // where the two were generated from different revisions of a comment
    Map<String, Map<String, String>> models = fromClientModels();
    int compared = 0;
    List<String> different = new ArrayList<>();
    for (ProtoComments.Comment comment : ProtoComments.all()) {
      for (String model : OpenApiDescriptions.modelNames(comment.message())) {
        String client = models.getOrDefault(model, Map.of()).get(comment.jsonName());
        if (client != null) {
          compared++;
          if (!comment.scalarType() && !spaced(client).equals(spaced(comment.text()))) {
            different.add(model + "." + comment.jsonName());
          }
          break;
        }
      }
    }
    assertThat(compared).isGreaterThan(2_500);
    assertThat(different.size())
        .as("descriptions that differ from the client's: %s", different)
        .isLessThan(compared / 50);
  }

  @Test
  void commentsAreLaidOutAsKubernetesOpenApiGeneratorDoes() {
    assertThat(
            ProtoComments.formatted(
                List.of(
                    "Valid options are:",
                    "  Localhost - a profile pre-loaded on the node.",
                    "  Unconfined - no enforcement.",
                    "+optional",
                    "TODO: one day",
                    "",
                    "Defaults to",
                    "Unconfined.",
                    "---",
                    "for the generators only")))
        .isEqualTo(
            "Valid options are:\n  Localhost - a profile pre-loaded on the node.\n"
                + "  Unconfined - no enforcement.\n\nDefaults to Unconfined.");
  }

  private static String spaced(String text) {
    return text.replaceAll("\\s+", " ");
  }

  @Test
  void fieldsOfMessageTypesAreDescribed() {
    OpenApiDescriptions descriptions = OpenApiDescriptions.load();
    assertThat(descriptions.field(V1.Pod.getDescriptor(), "spec"))
        .isEqualTo(
            "Specification of the desired behavior of the pod. More info:"
                + " https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status");
    assertThat(descriptions.field(V1.PersistentVolumeSpec.getDescriptor(), "claimRef"))
        .startsWith("claimRef is part of a bi-directional binding");
    assertThat(descriptions.field(V1.Pod.getDescriptor(), "metadata"))
        .startsWith("Standard object's metadata.");
    // the client's model describes IntOrString here, not the field
    assertThat(
            descriptions.field(
                io.kubernetes.client.proto.V1Apps.RollingUpdateDeployment.getDescriptor(),
                "maxSurge"))
        .startsWith("The maximum number of pods that can be scheduled above the desired number");
    assertThat(descriptions.field(V1.EmptyDirVolumeSource.getDescriptor(), "sizeLimit"))
        .startsWith("sizeLimit is the total amount of local storage required");
  }

  @Test
  void messagesFindTheirModelsDescriptions() {
    OpenApiDescriptions descriptions = OpenApiDescriptions.load();
    assertThat(descriptions.type(V1.PodSpec.getDescriptor()))
        .isEqualTo("PodSpec is a description of a pod.");
    assertThat(descriptions.field(V1.PodSpec.getDescriptor(), "activeDeadlineSeconds"))
        .startsWith("Optional duration in seconds the pod may be active");
    // core's Event is CoreV1Event in the client, beside events.k8s.io's EventsV1Event; the same
    // for EndpointPort (discovery.k8s.io)
    assertThat(descriptions.field(V1.Event.getDescriptor(), "reason"))
        .startsWith("This should be a short, machine understandable string");
    assertThat(descriptions.field(V1.EndpointPort.getDescriptor(), "port"))
        .isEqualTo("The port number of the endpoint.");
    assertThat(
            descriptions.field(
                io.kubernetes.client.proto.Meta.ObjectMeta.getDescriptor(), "resourceVersion"))
        .startsWith("An opaque value that represents the internal version of this object");
    assertThat(descriptions.field(V1.PodSpec.getDescriptor(), "noSuchField")).isNull();
  }

  /**
   * Model name, then JSON field name ("" for the type) to its description: the client's models',
   * and Kubernetes' comments from the protobuf sources where the models have none (fields whose
   * type is another message) or describe the field's type instead (IntOrString, Quantity).
   */
  private static Map<String, Map<String, String>> generated() throws Exception {
    Map<String, Map<String, String>> models = fromClientModels();
    for (ProtoComments.Comment comment : ProtoComments.all()) {
      List<String> names = OpenApiDescriptions.modelNames(comment.message());
      String model = names.stream().filter(models::containsKey).findFirst().orElse(names.get(0));
      Map<String, String> described = models.computeIfAbsent(model, name -> new TreeMap<>());
      if (comment.scalarType()) {
        described.put(comment.jsonName(), comment.text());
      } else {
        described.putIfAbsent(comment.jsonName(), comment.text());
      }
    }
    return models;
  }

  /** Model name, then JSON field name ("" for the type) to its description. */
  private static Map<String, Map<String, String>> fromClientModels() throws Exception {
    Map<String, Map<String, String>> models = new TreeMap<>();
    Path jar = Path.of(V1Pod.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (JarFile classes = new JarFile(jar.toFile())) {
      for (JarEntry entry : Collections.list(classes.entries())) {
        String name = entry.getName();
        if (!name.startsWith(PACKAGE) || !name.endsWith(".class") || name.contains("$")) {
          continue;
        }
        Class<?> model = Class.forName(name.replace('/', '.').replace(".class", ""));
        Map<String, String> described = describe(model);
        if (!described.isEmpty()) {
          models.put(model.getSimpleName(), described);
        }
      }
    }
    return models;
  }

  private static Map<String, String> describe(Class<?> model) {
    Map<String, String> described = new TreeMap<>();
    ApiModel type = model.getAnnotation(ApiModel.class);
    if (type != null && !type.description().isEmpty()) {
      described.put("", type.description());
    }
    for (Field field : model.getDeclaredFields()) {
      SerializedName json = field.getAnnotation(SerializedName.class);
      if (json == null) {
        continue;
      }
      String suffix =
          Character.toUpperCase(field.getName().charAt(0)) + field.getName().substring(1);
      for (String getter : new String[] {"get" + suffix, "is" + suffix}) {
        try {
          Method method = model.getMethod(getter);
          ApiModelProperty property = method.getAnnotation(ApiModelProperty.class);
          if (property != null && !property.value().isEmpty()) {
            described.put(json.value(), property.value());
          }
          break;
        } catch (NoSuchMethodException e) {
          // the other spelling
        }
      }
    }
    return described;
  }
}
