package io.kedge.runtime.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The set of keys a deployable understands. It parses layered sources into a {@link Config},
 * reporting every problem at once, and documents itself for the configuration reference.
 */
public final class ConfigSpec {
  private final String component;
  private final Map<String, ConfigKey<?>> keys = new LinkedHashMap<>();

  public ConfigSpec(String component) {
    this.component = component;
  }

  public ConfigSpec define(ConfigKey<?> key) {
    if (keys.putIfAbsent(key.name(), key) != null) {
      throw new IllegalArgumentException("config key " + key.name() + " is defined twice");
    }
    return this;
  }

  public String component() {
    return component;
  }

  public List<ConfigKey<?>> keys() {
    return List.copyOf(keys.values());
  }

  /**
   * Parses {@code sources}. Unknown keys, unparsable values, broken rules and missing required keys
   * are all collected before anything is thrown.
   *
   * @throws InvalidConfigException listing every problem
   */
  public Config parse(ConfigSources sources) {
    List<ConfigProblem> problems = new ArrayList<>(sources.problems());
    Map<String, Object> values = new LinkedHashMap<>();
    for (ConfigSources.Value raw : sources.values()) {
      if (!keys.containsKey(raw.key())) {
        problems.add(
            new ConfigProblem(
                raw.key(),
                raw.value(),
                raw.source(),
                "is not a " + component + " key" + suggestion(raw.key())));
      }
    }
    for (ConfigKey<?> key : keys.values()) {
      ConfigSources.Value raw = sources.get(key.name(), key.envName());
      if (raw == null) {
        if (key.required()) {
          problems.add(new ConfigProblem(key.name(), null, "", "is required: " + key.doc()));
        } else {
          values.put(key.name(), key.defaultValue());
        }
        continue;
      }
      ConfigKey.ParseResult<?> result = key.parse(raw.value());
      if (result.problem() != null) {
        String shown = key.secret() ? "****" : raw.value();
        problems.add(new ConfigProblem(key.name(), shown, raw.source(), result.problem()));
      } else {
        values.put(key.name(), result.value());
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems);
    }
    return new Config(this, Collections.unmodifiableMap(values));
  }

  private String suggestion(String unknown) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String known : keys.keySet()) {
      int d = distance(unknown, known);
      if (d < bestDistance) {
        bestDistance = d;
        best = known;
      }
    }
    return best != null && bestDistance <= 3 ? " (did you mean " + best + "?)" : "";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** A Markdown table of every key, for docs/configuration.md. */
  public String toMarkdown() {
    StringBuilder out = new StringBuilder();
    out.append("## ").append(component).append("\n\n");
    out.append("| key | environment | type | default | rule | description |\n");
    out.append("|---|---|---|---|---|---|\n");
    for (ConfigKey<?> key : keys.values()) {
      out.append("| `")
          .append(key.name())
          .append("` | `")
          .append(key.envName())
          .append("` | ")
          .append(key.typeName())
          .append(" | ")
          .append(
              key.required()
                  ? "*required*"
                  : key.defaultText().isEmpty() ? "" : "`" + key.defaultText() + "`")
          .append(" | ")
          .append(key.rule())
          .append(" | ")
          .append(key.doc().replace("|", "\\|"))
          .append(key.secret() ? " (secret)" : "")
          .append(" |\n");
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return component + keys.keySet().stream().collect(Collectors.joining(", ", "[", "]"));
  }
}
