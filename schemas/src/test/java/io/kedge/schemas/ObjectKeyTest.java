package io.kedge.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class ObjectKeyTest {
  @Test
  void parsesAndFormatsCoreAndGroupedKeys() {
    ObjectKey pod = ObjectKey.parse("/v1/Pod/default/web-0");
    assertThat(pod.group()).isEmpty();
    assertThat(pod.apiVersion()).isEqualTo("v1");
    assertThat(pod.toString()).isEqualTo("/v1/Pod/default/web-0");

    ObjectKey node = ObjectKey.parse("devices.kubeedge.io/v1alpha2/Device//thermo");
    assertThat(node.apiVersion()).isEqualTo("devices.kubeedge.io/v1alpha2");
    assertThat(node.namespaced()).isFalse();
  }

  @Test
  void derivesKeyFromObject() {
    ObjectNode cm = EventCodec.json().createObjectNode();
    cm.put("apiVersion", "rules.kubeedge.io/v1").put("kind", "Rule");
    cm.putObject("metadata").put("name", "r1").put("namespace", "ns");
    assertThat(ObjectKey.of(cm))
        .isEqualTo(new ObjectKey("rules.kubeedge.io", "v1", "Rule", "ns", "r1"));
  }

  @Test
  void rejectsMalformedKeys() {
    assertThatThrownBy(() -> ObjectKey.parse("v1/Pod/p")).hasMessageContaining("5 parts");
    assertThatThrownBy(() -> ObjectKey.parse("/v1/Pod/default/")).hasMessageContaining("name");
    assertThatThrownBy(() -> ObjectKey.parse("//Pod/default/p")).hasMessageContaining("version");
  }
}
