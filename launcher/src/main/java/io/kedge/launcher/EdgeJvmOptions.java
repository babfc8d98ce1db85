package io.kedge.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM options an edge node runs with: the java argument file {@code edge-jvm.options} that
 * ./kedge and the edge image pass to {@code java @file}, read here by whoever starts a node itself.
 */
public final class EdgeJvmOptions {
  /** Where the file is, on the classpath and under launcher/src/main/resources. */
  public static final String RESOURCE = "io/kedge/launcher/edge-jvm.options";

  private EdgeJvmOptions() {}

  /** The options in the shipped file, in order, without its comments. */
  public static List<String> shipped() {
    try (InputStream in = EdgeJvmOptions.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An argument file's options: whitespace-separated, {@code #} comments to the end of a line. */
  static List<String> parse(String file) {
    List<String> options = new ArrayList<>();
    for (String line : file.split("\n")) {
      int comment = line.indexOf('#');
      String content = comment >= 0 ? line.substring(0, comment) : line;
      for (String option : content.trim().split("\\s+")) {
        if (!option.isEmpty()) {
          options.add(option);
        }
      }
    }
    return List.copyOf(options);
  }
}
