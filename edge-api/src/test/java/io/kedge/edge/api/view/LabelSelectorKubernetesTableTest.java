package io.kedge.edge.api.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Label selectors as kube-apiserver parses and matches them: the table of its own test cases. */
class LabelSelectorKubernetesTableTest {
  static Stream<Arguments> cases() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    try (InputStream in =
        LabelSelectorKubernetesTableTest.class.getResourceAsStream(
            "/kubernetes/label-selectors.tsv")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        String[] columns = line.split("\t", -1);
        cases.add(Arguments.of(unescape(columns[0]), columns[1], columns[2]));
      }
    }
    assertThat(cases).hasSizeGreaterThan(70);
    return cases.stream();
  }

  @ParameterizedTest(name = "[{index}] \"{0}\" on {1}: {2}")
  @MethodSource("cases")
  void behavesAsKubeApiserver(String selector, String labels, String outcome) {
    if (outcome.equals("invalid")) {
      assertThatThrownBy(() -> LabelSelector.parse(selector))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("label selector");
      return;
    }
    LabelSelector parsed = LabelSelector.parse(selector);
    if (outcome.equals("valid")) {
      return;
    }
    assertThat(parsed.test(object(labels))).isEqualTo(outcome.equals("match"));
  }

  private static ObjectNode object(String labels) {
    ObjectNode object = EventCodec.json().createObjectNode();
    ObjectNode set = object.putObject("metadata").putObject("labels");
    if (!labels.equals("-")) {
      for (String pair : labels.split(";")) {
        int eq = pair.indexOf('=');
        set.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    return object;
  }

  private static String unescape(String s) {
    return s.replace("\\t", "\t").replace("\\n", "\n").replace("\\r", "\r");
  }
}
