package io.kedge.runtime.config;

/**
 * One thing wrong with the configuration: which key, the value given (masked for secrets), where it
 * came from (file, environment variable or flag) and the rule it breaks.
 */
public record ConfigProblem(String key, String value, String source, String rule) {
  @Override
  public String toString() {
    String given = value == null ? "is missing" : "= '" + value + "'";
    String from = source == null || source.isEmpty() ? "" : " (from " + source + ")";
    return key + " " + given + from + ": " + rule;
  }
}
