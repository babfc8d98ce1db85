package io.kedge.edge.api.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A request's query parameters, read as kube-apiserver reads them into {@code ListOptions}, {@code
 * CreateOptions}, {@code PatchOptions} and {@code DeleteOptions}: the first value of a repeated
 * parameter wins; a boolean is false only when absent, {@code 0} or {@code false} in any case, and
 * true for anything else, even an empty value (apimachinery's {@code
 * Convert_Slice_string_To_bool}); a number that does not parse is a 400.
 */
final class QueryParams {
  private static final Set<String> DRY_RUN = Set.of("All");
  private static final Set<String> FIELD_VALIDATION = Set.of("Ignore", "Warn", "Strict");
  private static final Set<String> PROPAGATION = Set.of("Orphan", "Background", "Foreground");

  private final QueryStringDecoder uri;

  QueryParams(QueryStringDecoder uri) {
    this.uri = uri;
  }

  QueryParams(String uri) {
    this(new QueryStringDecoder(uri));
  }

  boolean has(String name) {
    List<String> values = uri.parameters().get(name);
    return values != null && !values.isEmpty();
  }

  /** The first value, or empty when absent. */
  String string(String name) {
    List<String> values = uri.parameters().get(name);
    return values == null || values.isEmpty() ? "" : values.get(0);
  }

  boolean bool(String name) {
    if (!has(name)) {
      return false;
    }
    String value = string(name);
    return !(value.equals("0") || value.toLowerCase(Locale.ROOT).equals("false"));
  }

  /**
   * @throws IllegalArgumentException (a 400) when present and not a 64-bit integer
   */
  OptionalLong int64(String name) {
    if (!has(name)) {
      return OptionalLong.empty();
    }
    String value = string(name);
    try {
      return OptionalLong.of(Long.parseLong(value));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "invalid value for query parameter " + name + ": '" + value + "' is not an integer");
    }
  }

  /** {@code dryRun}: absent, or {@code All}; anything else is a 400 as kube-apiserver answers. */
  boolean dryRun() {
    List<String> values = uri.parameters().getOrDefault("dryRun", List.of());
    for (String value : values) {
      if (!DRY_RUN.contains(value)) {
        throw new IllegalArgumentException(
            "Invalid dryRun: '" + value + "': supported values: \"All\"");
      }
    }
    return !values.isEmpty();
  }

  /** {@code fieldValidation}: empty, Ignore, Warn or Strict. */
  String fieldValidation() {
    return oneOf("fieldValidation", FIELD_VALIDATION);
  }

  /** {@code propagationPolicy} of a delete: empty, Orphan, Background or Foreground. */
  String propagationPolicy() {
    return oneOf("propagationPolicy", PROPAGATION);
  }

  private String oneOf(String name, Set<String> allowed) {
    String value = string(name);
    if (!value.isEmpty() && !allowed.contains(value)) {
      throw new IllegalArgumentException(
          "invalid value for query parameter "
              + name
              + ": '"
              + value
              + "': supported values: "
              + String.join(", ", allowed.stream().sorted().toList()));
    }
    return value;
  }
}
