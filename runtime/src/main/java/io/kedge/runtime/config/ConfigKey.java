package io.kedge.runtime.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One typed configuration key: dotted kebab-case name ({@code edge.api-port}), parser, default,
 * validation rule and documentation. The rule text is what a user reads when their value breaks it,
 * so it says what is allowed, not what went wrong.
 */
public final class ConfigKey<T> {
  private static final Pattern NAME =
      Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*(\\.[a-z0-9]+(-[a-z0-9]+)*)*");
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private final String name;
  private final String typeName;
  private final Function<String, T> parser;
  private final String parseRule;
  private final T defaultValue;
  private final boolean required;
  private final Predicate<T> check;
  private final String rule;
  private final String doc;
  private final boolean secret;

  private ConfigKey(
      String name,
      String typeName,
      Function<String, T> parser,
      String parseRule,
      T defaultValue,
      boolean required,
      Predicate<T> check,
      String rule,
      String doc,
      boolean secret) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "config key name '" + name + "' must be dotted kebab-case");
    }
    this.name = name;
    this.typeName = typeName;
    this.parser = parser;
    this.parseRule = parseRule;
    this.defaultValue = defaultValue;
    this.required = required;
    this.check = check;
    this.rule = rule;
    this.doc = Objects.requireNonNull(doc, "doc");
    this.secret = secret;
  }

  public static ConfigKey<String> string(String name, String defaultValue, String doc) {
    return new ConfigKey<>(
        name, "string", s -> s, "", defaultValue, false, v -> true, "", doc, false);
  }

  /** A string that must be given (no default). */
  public static ConfigKey<String> requiredString(String name, String doc) {
    return new ConfigKey<>(
        name, "string", s -> s, "", null, true, v -> !v.isBlank(), "must not be empty", doc, false);
  }

  public static ConfigKey<Integer> integer(
      String name, int defaultValue, int min, int max, String doc) {
    return new ConfigKey<>(
        name,
        "integer",
        Integer::valueOf,
        "must be an integer",
        defaultValue,
        false,
        v -> v >= min && v <= max,
        "must be between " + min + " and " + max,
        doc,
        false);
  }

  public static ConfigKey<Long> bytes(String name, long defaultValue, long min, String doc) {
    return new ConfigKey<>(
        name,
        "bytes",
        ConfigKey::parseBytes,
        "must be a size such as 512MiB, 4GiB or a number of bytes",
        defaultValue,
        false,
        v -> v >= min,
        "must be at least " + min + " bytes",
        doc,
        false);
  }

  /** A TCP port; 0 means "pick a free one" only where {@code allowZero}. */
  public static ConfigKey<Integer> port(
      String name, int defaultValue, boolean allowZero, String doc) {
    int min = allowZero ? 0 : 1;
    return integer(name, defaultValue, min, 65535, doc);
  }

  public static ConfigKey<Boolean> bool(String name, boolean defaultValue, String doc) {
    return new ConfigKey<>(
        name,
        "boolean",
        ConfigKey::parseBoolean,
        "must be true or false",
        defaultValue,
        false,
        v -> true,
        "",
        doc,
        false);
  }

  /** A duration written as {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d}. */
  public static ConfigKey<Duration> duration(
      String name, Duration defaultValue, Duration min, String doc) {
    return new ConfigKey<>(
        name,
        "duration",
        ConfigKey::parseDuration,
        "must be a duration such as 500ms, 30s, 5m, 2h or 7d",
        defaultValue,
        false,
        v -> v.compareTo(min) >= 0,
        "must be at least " + format(min),
        doc,
        false);
  }

  public static <E extends Enum<E>> ConfigKey<E> choice(
      String name, Class<E> type, E defaultValue, String doc) {
    String allowed =
        Arrays.stream(type.getEnumConstants())
            .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-'))
            .collect(Collectors.joining(", "));
    return new ConfigKey<>(
        name,
        "one of " + allowed,
        s -> Enum.valueOf(type, s.trim().toUpperCase(Locale.ROOT).replace('-', '_')),
        "must be one of " + allowed,
        defaultValue,
        false,
        v -> true,
        "",
        doc,
        false);
  }

  /** A comma-separated list. */
  public static ConfigKey<List<String>> list(String name, List<String> defaultValue, String doc) {
    return new ConfigKey<>(
        name,
        "list",
        s -> Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList(),
        "",
        defaultValue,
        false,
        v -> true,
        "",
        doc,
        false);
  }

  /** The same key with an extra rule, e.g. "must be a DNS subdomain". */
  public ConfigKey<T> withRule(Predicate<T> extra, String extraRule) {
    Predicate<T> combined = v -> check.test(v) && extra.test(v);
    String combinedRule = rule.isEmpty() ? extraRule : rule + " and " + extraRule;
    return new ConfigKey<>(
        name,
        typeName,
        parser,
        parseRule,
        defaultValue,
        required,
        combined,
        combinedRule,
        doc,
        secret);
  }

  /** The same key, masked in {@code toString()} and in problem reports. */
  public ConfigKey<T> asSecret() {
    return new ConfigKey<>(
        name, typeName, parser, parseRule, defaultValue, required, check, rule, doc, true);
  }

  public String name() {
    return name;
  }

  /** The environment variable that overrides this key: {@code KEDGE_EDGE_API_PORT}. */
  public String envName() {
    return "KEDGE_" + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  public String typeName() {
    return typeName;
  }

  public T defaultValue() {
    return defaultValue;
  }

  public boolean required() {
    return required;
  }

  public String rule() {
    return rule;
  }

  public String doc() {
    return doc;
  }

  public boolean secret() {
    return secret;
  }

  /** The default as a user would write it, or an empty string. */
  public String defaultText() {
    if (defaultValue == null) {
      return "";
    }
    if (defaultValue instanceof Duration d) {
      return format(d);
    }
    if (defaultValue instanceof List<?> l) {
      return l.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
    if (defaultValue instanceof Enum<?> e) {
      return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
    return String.valueOf(defaultValue);
  }

  /**
   * Parses and checks {@code raw}.
   *
   * @return the value, or the broken rule as a problem text
   */
  ParseResult<T> parse(String raw) {
    T value;
    try {
      value = parser.apply(raw.trim());
    } catch (RuntimeException e) {
      return new ParseResult<>(
          null, parseRule.isEmpty() ? "cannot be parsed: " + e.getMessage() : parseRule);
    }
    if (!check.test(value)) {
      return new ParseResult<>(null, rule);
    }
    return new ParseResult<>(value, null);
  }

  record ParseResult<T>(T value, String problem) {}

  private static boolean parseBoolean(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw new IllegalArgumentException(s);
    };
  }

  static Duration parseDuration(String s) {
    Matcher m = DURATION.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException(s);
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  static long parseBytes(String s) {
    Matcher m = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|TiB)?").matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException(s);
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2);
    int shift =
        switch (unit) {
          case "KiB" -> 10;
          case "MiB" -> 20;
          case "GiB" -> 30;
          case "TiB" -> 40;
          default -> 0;
        };
    return Math.multiplyExact(n, 1L << shift);
  }

  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 86_400_000L == 0 && ms > 0) {
      return ms / 86_400_000L + "d";
    }
    if (ms % 3_600_000L == 0 && ms > 0) {
      return ms / 3_600_000L + "h";
    }
    if (ms % 60_000L == 0 && ms > 0) {
      return ms / 60_000L + "m";
    }
    if (ms % 1000L == 0) {
      return ms / 1000L + "s";
    }
    return ms + "ms";
  }
}
