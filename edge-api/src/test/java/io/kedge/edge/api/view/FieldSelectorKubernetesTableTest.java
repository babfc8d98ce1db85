package io.kedge.edge.api.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Field selectors as kube-apiserver splits, unescapes and matches them
 * (k8s.io/apimachinery/pkg/fields): the cases of its own tests (TestSplitTerms, TestSplitTerm,
 * TestEscapeValue, TestSelectorParse, TestSelectorMatches), as a table.
 */
class FieldSelectorKubernetesTableTest {
  /** A selector and the terms it splits into, each "field op value" with the value unescaped. */
  static Stream<Arguments> splits() {
    return Stream.of(
        Arguments.of("a=avalue", List.of("a = avalue")),
        Arguments.of("a=avalue,b=bvalue", List.of("a = avalue", "b = bvalue")),
        Arguments.of(
            "a=avalue,b==bvalue,c!=cvalue", List.of("a = avalue", "b == bvalue", "c != cvalue")),
        Arguments.of("", List.of()),
        Arguments.of("a=a,", List.of("a = a")),
        Arguments.of(",a=a", List.of("a = a")),
        Arguments.of("k=\\,,k2=v2", List.of("k = ,", "k2 = v2")),
        Arguments.of("k=\\\\,k2=v2", List.of("k = \\", "k2 = v2")),
        Arguments.of("k=\\\\\\,,k2=v2", List.of("k = \\,", "k2 = v2")),
        Arguments.of("함=수,목=록", List.of("함 = 수", "목 = 록")),
        Arguments.of("k=\\=", List.of("k = =")),
        Arguments.of("x=a,y=b,z=c", List.of("x = a", "y = b", "z = c")),
        Arguments.of("x!=a,y=b", List.of("x != a", "y = b")),
        Arguments.of("x=a||y\\=b", List.of("x = a||y=b")),
        Arguments.of("x=a\\=\\=b", List.of("x = a==b")),
        Arguments.of("notin=in", List.of("notin = in")),
        Arguments.of("complex=\\=value\\\\\\,\\\\", List.of("complex = =value\\,\\")));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("splits")
  void splitsAsKubeApiserver(String selector, List<String> terms) {
    assertThat(FieldSelector.terms(selector))
        .extracting(t -> t.field() + " " + t.op() + " " + t.value())
        .containsExactlyElementsOf(terms);
  }

  /** Selectors kube-apiserver refuses. */
  static Stream<String> refused() {
    return Stream.of(
        "a",
        "k=\\a\\b\\",
        "k=\\",
        "k=\\\\\\",
        "k=\\a",
        "x=a||y=b",
        "x==a==b",
        "x=a,b",
        "x in (a)",
        "x in (a,b,c)",
        "x");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("refused")
  void refusesWhatKubeApiserverRefuses(String selector) {
    assertThatThrownBy(() -> FieldSelector.terms(selector))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid field selector");
  }

  /** TestSelectorMatches on the fields a Pod has: name, namespace, node, phase. */
  static Stream<Arguments> matches() {
    return Stream.of(
        Arguments.of("", true),
        Arguments.of("metadata.name=bar", true),
        Arguments.of("metadata.name=bar,spec.nodeName=blah", true),
        Arguments.of("metadata.name!=y,spec.nodeName!=w", true),
        Arguments.of("metadata.name=blah", false),
        Arguments.of("spec.nodeName=bar", false),
        Arguments.of("metadata.name=bar,status.phase=bar,spec.nodeName=blah", false),
        Arguments.of("metadata.name==bar,metadata.namespace=\\=value\\\\\\,\\\\", true),
        Arguments.of("metadata.namespace!=\\=value\\\\\\,\\\\", false));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("matches")
  void matchesAsKubeApiserver(String selector, boolean match) {
    ObjectNode pod = EventCodec.json().createObjectNode();
    pod.putObject("metadata").put("name", "bar").put("namespace", "=value\\,\\");
    pod.putObject("spec").put("nodeName", "blah");
    pod.putObject("status").put("phase", "Running");
    assertThat(FieldSelector.parse(selector, "Pod").test(pod)).isEqualTo(match);
  }
}
