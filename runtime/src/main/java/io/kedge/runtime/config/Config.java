package io.kedge.runtime.config;

import java.util.Map;
import java.util.stream.Collectors;

/** Parsed, validated configuration values. Safe to print: secrets are masked. */
public final class Config {
  private final ConfigSpec def;
  private final Map<String, Object> values;

  Config(ConfigSpec def, Map<String, Object> values) {
    this.def = def;
    this.values = values;
  }

  @SuppressWarnings("unchecked")
  public <T> T get(ConfigKey<T> key) {
    if (!values.containsKey(key.name())) {
      throw new IllegalArgumentException(key.name() + " is not a " + def.component() + " key");
    }
    return (T) values.get(key.name());
  }

  @Override
  public String toString() {
    return def.keys().stream()
        .map(
            k ->
                k.name()
                    + "="
                    + (k.secret() && values.get(k.name()) != null ? "****" : values.get(k.name())))
        .collect(Collectors.joining(", ", def.component() + "{", "}"));
  }
}
