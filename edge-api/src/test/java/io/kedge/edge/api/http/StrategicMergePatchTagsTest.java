package io.kedge.edge.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.kedge.kube.objects.StrategicMergePatch;
import io.kedge.schemas.EventCodec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The server's strategic merge patch merges the lists Kubernetes tags for merging, on the key it
 * tags, and replaces the others, as kube-apiserver does: its table of field names is checked
 * against Kubernetes' {@code +patchStrategy} and {@code +patchMergeKey} tags, read from the sources
 * of the official client's protobuf models.
 */
class StrategicMergePatchTagsTest {
  private static final StrategicMergePatch.Schema SERVER = StrategicMergePatch.KUBERNETES;

  @Test
  void everyTaggedListMergesOnItsKubernetesKey() throws Exception {
    List<String> wrong = new ArrayList<>();
    int checked = 0;
    for (ProtoComments.PatchTags tag : ProtoComments.patchTags()) {
      if (!tag.strategy().contains("merge")) {
        continue; // replace and retainKeys strategies act through a patch's own directives
      }
      String field = jsonName(tag.jsonName());
      checked++;
      if (tag.mergeKey() == null) {
        if (!SERVER.mergesScalars(field)) {
          wrong.add(tag.message().getName() + "." + field + ": a set of scalars");
        }
        continue;
      }
      ArrayNode sample = EventCodec.json().createArrayNode();
      sample.addObject().put(tag.mergeKey(), "a");
      String key = SERVER.mergeKey(field, sample, sample);
      if (!tag.mergeKey().equals(key)) {
        wrong.add(tag.message().getName() + "." + field + ": " + tag.mergeKey() + ", not " + key);
      }
    }
    assertThat(checked).isGreaterThan(50);
    assertThat(wrong).isEmpty();
  }

  @Test
  void listsKubernetesDoesNotTagAreReplacedWhole() throws Exception {
    Set<String> tagged = new HashSet<>();
    for (ProtoComments.PatchTags tag : ProtoComments.patchTags()) {
      tagged.add(jsonName(tag.jsonName()));
    }
    List<String> merged = new ArrayList<>();
    for (Descriptor message : ProtobufBodies.messages()) {
      for (FieldDescriptor field : message.getFields()) {
        String name = ProtobufBodies.jsonName(field);
        if (!field.isRepeated() || field.isMapField() || tagged.contains(name)) {
          continue; // a name Kubernetes tags somewhere means that wherever the table names it
        }
        ArrayNode sample = EventCodec.json().createArrayNode();
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
          var element = sample.addObject();
          field.getMessageType().getFields().forEach(f -> element.put(f.getJsonName(), "a"));
        } else {
          sample.add("a");
        }
        if (SERVER.mergeKey(name, sample, sample) != null || SERVER.mergesScalars(name)) {
          merged.add(message.getName() + "." + name);
        }
      }
    }
    assertThat(merged).isEmpty();
  }

  /**
   * The v1beta1 webhook configurations' protobuf name is {@code Webhooks}; JSON's is lower case.
   */
  private static String jsonName(String name) {
    return Character.toLowerCase(name.charAt(0)) + name.substring(1);
  }
}
