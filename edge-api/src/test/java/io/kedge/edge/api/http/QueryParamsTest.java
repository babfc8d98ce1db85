package io.kedge.edge.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Query parameters as kube-apiserver reads them (apimachinery's query conversions). */
class QueryParamsTest {

  @ParameterizedTest(name = "watch{0} -> {1}")
  @CsvSource({
    "'', false",
    "=true, true",
    "=True, true",
    "=TRUE, true",
    "=1, true",
    "=t, true",
    "=yes, true",
    "=, true",
    "=false, false",
    "=False, false",
    "=FALSE, false",
    "=0, false"
  })
  void booleansAreFalseOnlyWhenAbsentZeroOrFalse(String query, boolean expected) {
    QueryParams params =
        new QueryParams("/api/v1/pods" + (query.isEmpty() ? "" : "?watch" + query));
    assertThat(params.bool("watch")).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "timeoutSeconds=abc",
    "limit=1.5",
    "timeoutSeconds=",
    "gracePeriodSeconds=9999999999999999999"
  })
  void numbersThatDoNotParseAreBadRequests(String query) {
    QueryParams params = new QueryParams("/api/v1/pods?" + query);
    String name = query.substring(0, query.indexOf('='));
    assertThatThrownBy(() -> params.int64(name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(name);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "resourceVersionMatch=Exact|resourceVersionMatch is forbidden unless resourceVersion is provided",
        "resourceVersion=5&resourceVersionMatch=Newest|Unsupported value: \"Newest\"",
        "resourceVersion=0&resourceVersionMatch=Exact|forbidden for resourceVersion \"0\"",
        "sendInitialEvents=true|sendInitialEvents is forbidden for list",
        "watch=1&sendInitialEvents=true|sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
        "watch=1&resourceVersion=5&resourceVersionMatch=NotOlderThan|forbidden for watch unless sendInitialEvents is provided"
      })
  void combinationsKubeApiserverForbidsAreInvalid(String query, String message) {
    assertThatThrownBy(() -> ListOptions.parse(new QueryParams("/api/v1/pods?" + query), false))
        .isInstanceOf(ListOptions.InvalidException.class)
        .hasMessageStartingWith("ListOptions.meta.k8s.io \"\" is invalid: ")
        .hasMessageContaining(message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true",
    "resourceVersion=7&resourceVersionMatch=NotOlderThan",
    "limit=-1",
    "watch=True&timeoutSeconds=30"
  })
  void validCombinationsParse(String query) {
    ListOptions options = ListOptions.parse(new QueryParams("/api/v1/pods?" + query), false);
    assertThat(options.limit()).isNotNegative();
  }
}
