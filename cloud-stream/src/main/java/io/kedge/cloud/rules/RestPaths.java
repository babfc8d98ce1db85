package io.kedge.cloud.rules;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * REST source paths matched as KubeEdge's router (1.7+) matches them: a rule's path matches a
 * request path that equals it or continues it with more segments, {@code {name}} segments match any
 * one segment, and the rest of the request path (the sub-path) is passed to the target. Unlike
 * KubeEdge's unanchored regular expression, the match is anchored at segment boundaries: rule
 * {@code /a} matches {@code /a} and {@code /a/b}, never {@code /ab}. Among matching rules the most
 * specific wins: more segments, then literal segments before parameters.
 */
final class RestPaths {
  /** A parameter segment's characters, as KubeEdge's {@code pathRegex}. */
  private static final Pattern SEGMENT = Pattern.compile("[-A-Za-z0-9+&@#%?=~_|!:,.;]+");

  private RestPaths() {}

  /** How a rule's path matched: the sub-path after it ({@code ""} or {@code "/b/c"}). */
  record Match(int segments, int literals, String subPath) {
    boolean moreSpecificThan(Match other) {
      return segments != other.segments ? segments > other.segments : literals > other.literals;
    }
  }

  /** How {@code rulePath} matches {@code requestPath} (both start with '/'), if it does. */
  static Optional<Match> match(String rulePath, String requestPath) {
    List<String> rule = segments(rulePath);
    List<String> request = segments(requestPath);
    if (rule.size() > request.size()) {
      return Optional.empty();
    }
    int literals = 0;
    for (int i = 0; i < rule.size(); i++) {
      String want = rule.get(i);
      String got = request.get(i);
      if (isParameter(want)) {
        if (!SEGMENT.matcher(got).matches()) {
          return Optional.empty();
        }
      } else if (want.equals(got)) {
        literals++;
      } else {
        return Optional.empty();
      }
    }
    List<String> rest = request.subList(rule.size(), request.size());
    return Optional.of(
        new Match(rule.size(), literals, rest.isEmpty() ? "" : "/" + String.join("/", rest)));
  }

  /**
   * {@code base} continued by {@code subPath}, as KubeEdge joins a target's topic or path with the
   * sub-path: one slash between them.
   */
  static String join(String base, String subPath) {
    if (subPath.isEmpty()) {
      return base;
    }
    String head = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    return head + "/" + (subPath.startsWith("/") ? subPath.substring(1) : subPath);
  }

  private static boolean isParameter(String segment) {
    return segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}");
  }

  private static List<String> segments(String path) {
    return java.util.Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
  }
}
