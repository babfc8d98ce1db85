package io.kedge.cloud.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.ObjectKey;
import org.junit.jupiter.api.Test;

class ServerMetadataTest {
  private static final ObjectKey KEY = ObjectKey.parse("/v1/Pod/default/web");
  private static final long T0 = 1_780_000_000_123L;

  private static ObjectNode pod(String image) {
    ObjectNode pod = EventCodec.json().createObjectNode();
    pod.put("apiVersion", "v1").put("kind", "Pod");
    pod.putObject("metadata").put("name", "web").put("namespace", "default");
    pod.putObject("spec").putArray("containers").addObject().put("name", "c").put("image", image);
    return pod;
  }

  @Test
  void aNewObjectGetsUidCreationTimeAndGenerationOne() {
    ObjectNode created = pod("nginx:1");
    ServerMetadata.fill(created, null, KEY, 42, T0);
    assertThat(created.at("/metadata/uid").asText()).hasSize(36);
    assertThat(created.at("/metadata/creationTimestamp").asText())
        .isEqualTo("2026-05-28T20:26:40Z");
    assertThat(created.at("/metadata/generation").asLong()).isEqualTo(1);

    ObjectNode again = pod("nginx:1");
    ServerMetadata.fill(again, null, KEY, 42, T0);
    assertThat(again.at("/metadata/uid"))
        .as("the same record gives the same uid")
        .isEqualTo(created.at("/metadata/uid"));
    ObjectNode recreated = pod("nginx:1");
    ServerMetadata.fill(recreated, null, KEY, 43, T0);
    assertThat(recreated.at("/metadata/uid").asText())
        .isNotEqualTo(created.at("/metadata/uid").asText());
  }

  @Test
  void laterVersionsKeepIdentityAndCountSpecChanges() {
    ObjectNode first = pod("nginx:1");
    ServerMetadata.fill(first, null, KEY, 1, T0);

    ObjectNode relabelled = pod("nginx:1");
    relabelled.withObject("metadata").putObject("labels").put("a", "b");
    relabelled
        .withObject("metadata")
        .put("uid", "forged")
        .put("creationTimestamp", "2000-01-01T00:00:00Z");
    ServerMetadata.fill(relabelled, first, KEY, 2, T0 + 60_000);
    assertThat(relabelled.at("/metadata/uid")).isEqualTo(first.at("/metadata/uid"));
    assertThat(relabelled.at("/metadata/creationTimestamp"))
        .isEqualTo(first.at("/metadata/creationTimestamp"));
    assertThat(relabelled.at("/metadata/generation").asLong()).as("metadata only").isEqualTo(1);

    ObjectNode newImage = pod("nginx:2");
    ServerMetadata.fill(newImage, relabelled, KEY, 3, T0 + 120_000);
    assertThat(newImage.at("/metadata/generation").asLong()).isEqualTo(2);
  }
}
