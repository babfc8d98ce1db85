package io.kedge.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM options kedge's processes run with: java argument files that ./kedge and the images pass
 * to {@code java @file}, read here by whoever starts such a process itself.
 */
public final class JvmOptionsFile {
  /** The edge node's and the mapper's file, on the classpath and under src/main/resources. */
  public static final String EDGE = "io/kedge/launcher/edge-jvm.options";

  /** The cloud's file, on the classpath and under src/main/resources. */
  public static final String CLOUD = "io/kedge/launcher/cloud-jvm.options";

  private JvmOptionsFile() {}

  /** The options an edge node runs with, in order, without the file's comments. */
  public static List<String> edge() {
    return shipped(EDGE);
  }

  /** The options the cloud runs with, in order, without the file's comments. */
  public static List<String> cloud() {
    return shipped(CLOUD);
  }

  private static List<String> shipped(String resource) {
    try (InputStream in = JvmOptionsFile.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the classpath");
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
