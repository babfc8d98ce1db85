package io.kedge.runtime.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/** Reading what configuration keys point at: secret files, and values that must parse. */
public final class SecretFiles {
  private SecretFiles() {}

  /**
   * What the file {@code file} named by key {@code key} holds, decoded; null when {@code file} is
   * empty (not set).
   *
   * @param decode throws IllegalArgumentException saying what is wrong with the content
   * @throws InvalidConfigException naming the key, the file and what is wrong with it
   */
  public static <T> T read(String key, String file, Function<String, T> decode) {
    if (file.isEmpty()) {
      return null;
    }
    String text;
    try {
      text = Files.readString(Path.of(file));
    } catch (IOException e) {
      throw new InvalidConfigException(
          List.of(new ConfigProblem(key, file, "", "must be a readable file (" + e + ")")));
    }
    try {
      return decode.apply(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(
          List.of(new ConfigProblem(key, file, "", "its content " + e.getMessage())));
    }
  }

  /** A rule that holds when {@code parser} takes the value without IllegalArgumentException. */
  public static <T> Predicate<T> parses(Consumer<T> parser) {
    return value -> {
      try {
        parser.accept(value);
        return true;
      } catch (IllegalArgumentException e) {
        return false;
      }
    };
  }
}
