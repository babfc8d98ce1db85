package io.kedge.kube.objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Strategic merge patch as kube-apiserver applies it: the patch applications of Kubernetes' own
 * strategic merge patch tests (kubernetes/strategic-merge-patch.json), on the tests' {@code
 * mergeItem} type. Like those tests, the raw cases compare lists in order ({@code
 * $setElementOrder}) and the YAML cases with merging lists sorted by their merge key.
 */
class StrategicMergePatchKubernetesTableTest {
  /** The tests' mergeItem: its patchStrategy and patchMergeKey tags. */
  static final StrategicMergePatch.Schema MERGE_ITEM =
      new StrategicMergePatch.Schema() {
        private final Map<String, String> keys =
            Map.of("mergingList", "name", "retainKeysMergingList", "name", "mergeItemPtr", "name");

        @Override
        public String mergeKey(String field, ArrayNode patch, ArrayNode current) {
          return keys.get(field);
        }

        @Override
        public boolean mergesScalars(String field) {
          return field.equals("mergingIntList");
        }

        @Override
        public boolean replaces(String field) {
          return field.equals("replacingItem");
        }
      };

  private static final Set<String> SORTED =
      Set.of("mergingList", "retainKeysMergingList", "mergeItemPtr");

  static Stream<Arguments> cases() throws IOException {
    JsonNode table;
    try (InputStream in =
        StrategicMergePatchKubernetesTableTest.class.getResourceAsStream(
            "/kubernetes/strategic-merge-patch.json")) {
      table = EventCodec.json().readTree(in);
    }
    List<Arguments> cases = new ArrayList<>();
    table.path("cases").forEach(c -> cases.add(Arguments.of(c.path("description").asText(), c)));
    assertThat(cases).hasSizeGreaterThan(250);
    return cases.stream();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("cases")
  void appliesAsKubeApiserver(String description, JsonNode c) {
    ObjectNode original = (ObjectNode) c.path("original");
    if (c.has("error")) {
      assertThatThrownBy(() -> StrategicMergePatch.apply(original, c.path("patch"), MERGE_ITEM))
          .isInstanceOf(IllegalArgumentException.class);
      return;
    }
    ObjectNode result = StrategicMergePatch.apply(original, c.path("patch"), MERGE_ITEM);
    if (c.path("ordered").asBoolean()) {
      assertThat(result).isEqualTo(c.path("expected")); // the order is part of the result
    } else {
      assertThat(sorted(result)).isEqualTo(sorted(c.path("expected")));
    }
  }

  /** A copy with merging lists (and the set list) sorted, recursively through merging lists. */
  private static JsonNode sorted(JsonNode node) {
    if (!node.isObject()) {
      return node;
    }
    ObjectNode copy = ((ObjectNode) node).deepCopy();
    copy.properties()
        .forEach(
            field -> {
              String name = field.getKey();
              JsonNode value = field.getValue();
              if (value.isArray() && (SORTED.contains(name) || name.equals("mergingIntList"))) {
                List<JsonNode> elements = new ArrayList<>();
                value.forEach(e -> elements.add(sorted(e)));
                elements.sort(
                    Comparator.comparing(e -> e.isObject() ? e.path("name").asText() : e.asText()));
                ArrayNode list = copy.arrayNode();
                elements.forEach(list::add);
                field.setValue(list);
              } else if (value.isObject() && !name.equals("replacingItem")) {
                field.setValue(sorted(value));
              }
            });
    return copy;
  }
}
