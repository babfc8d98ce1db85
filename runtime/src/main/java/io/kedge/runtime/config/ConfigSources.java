package io.kedge.runtime.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Raw configuration in layers, later layers winning: a YAML file, then environment variables
 * ({@code KEDGE_EDGE_API_PORT} for {@code edge.api-port}), then command-line flags. Each value
 * remembers where it came from, so a problem report can say which file or flag to fix.
 */
public final class ConfigSources {
  /** A raw value and its origin. */
  public record Value(String key, String value, String source) {}

  private final Map<String, Value> fileValues = new LinkedHashMap<>();
  private final Map<String, String> env;
  private final Map<String, Value> flagValues = new LinkedHashMap<>();
  private final List<ConfigProblem> problems = new ArrayList<>();

  private ConfigSources(Map<String, String> env) {
    this.env = env;
  }

  /** Sources that read the given environment (pass {@code System.getenv()} in production). */
  public static ConfigSources withEnvironment(Map<String, String> env) {
    return new ConfigSources(Map.copyOf(env));
  }

  /**
   * Adds a YAML file. Nested maps become dotted keys ({@code edge: {api-port: 1}} is {@code
   * edge.api-port}); lists become comma-separated values. An unreadable file is a problem, not an
   * exception, so it is reported with the rest.
   */
  public ConfigSources file(Path path) {
    if (path == null) {
      return this;
    }
    if (!Files.isReadable(path)) {
      problems.add(
          new ConfigProblem("--config", path.toString(), "", "must be a readable YAML file"));
      return this;
    }
    try {
      JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(path.toFile());
      if (root == null || root.isMissingNode() || root.isNull()) {
        return this;
      }
      if (!root.isObject()) {
        problems.add(
            new ConfigProblem(
                "--config", path.toString(), "", "must hold a YAML mapping at the top"));
        return this;
      }
      flatten("", root, path.toString());
    } catch (IOException e) {
      problems.add(
          new ConfigProblem(
              "--config", path.toString(), "", "is not valid YAML: " + firstLine(e.getMessage())));
    }
    return this;
  }

  /** Adds a flag value; {@code null} means the flag was not given. */
  public ConfigSources flag(String key, Object value, String flagName) {
    if (value != null) {
      flagValues.put(key, new Value(key, String.valueOf(value), flagName));
    }
    return this;
  }

  private void flatten(String prefix, JsonNode node, String file) {
    node.properties()
        .forEach(
            entry -> {
              String key = prefix.isEmpty() ? entry.getKey() : prefix + "." + entry.getKey();
              JsonNode value = entry.getValue();
              if (value.isObject()) {
                flatten(key, value, file);
              } else if (value.isArray()) {
                List<String> items = new ArrayList<>();
                value.forEach(item -> items.add(item.asText()));
                fileValues.put(key, new Value(key, String.join(",", items), file));
              } else if (!value.isNull()) {
                fileValues.put(key, new Value(key, value.asText(), file));
              }
            });
  }

  List<ConfigProblem> problems() {
    return problems;
  }

  /** File and flag values, for the unknown-key check (environment is filtered by name). */
  List<Value> values() {
    List<Value> all = new ArrayList<>(fileValues.values());
    all.addAll(flagValues.values());
    return all;
  }

  Value get(String key, String envName) {
    Value flag = flagValues.get(key);
    if (flag != null) {
      return flag;
    }
    String fromEnv = env.get(envName);
    if (fromEnv != null) {
      return new Value(key, fromEnv, "$" + envName);
    }
    return fileValues.get(key);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
