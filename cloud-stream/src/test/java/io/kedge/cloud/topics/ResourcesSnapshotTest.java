package io.kedge.cloud.topics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceDelete;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.schemas.StatusWrites;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the manifest directory, the Kubernetes source and repartitioning read as published. */
class ResourcesSnapshotTest {
  private static final URI SOURCE = URI.create("/kedge/test");

  private static ObjectNode rule(String path, long count) {
    ObjectNode rule = EventCodec.json().createObjectNode();
    rule.put("apiVersion", "rules.kubeedge.io/v1").put("kind", "Rule");
    rule.putObject("metadata").put("name", "r").put("namespace", "default");
    rule.putObject("spec").put("path", path);
    rule.putObject("status").put("successMessages", count);
    return rule;
  }

  private static KedgeEvent upsert(String subject, ObjectNode object) {
    return KedgeEvent.of(SOURCE, subject, new ResourceUpsert(ObjectKey.of(object), "", object));
  }

  @Test
  void statusWritesChangeOnlyTheStatusOfWhatIsPublished() {
    Map<String, ResourceUpsert> objects = new HashMap<>();
    ResourcesSnapshot.apply(objects, upsert("", rule("/new", 0)));
    ResourcesSnapshot.apply(objects, upsert(StatusWrites.SUBJECT, rule("/old", 4)));
    ObjectNode published = objects.values().iterator().next().object();
    assertThat(published.at("/spec/path").asText()).isEqualTo("/new");
    assertThat(published.at("/status/successMessages").asLong()).isEqualTo(4);

    ResourcesSnapshot.apply(
        objects, KedgeEvent.of(SOURCE, "", new ResourceDelete(ObjectKey.of(rule("/", 0)), "")));
    ResourcesSnapshot.apply(objects, upsert(StatusWrites.SUBJECT, rule("/old", 5)));
    assertThat(objects).isEmpty();
  }
}
