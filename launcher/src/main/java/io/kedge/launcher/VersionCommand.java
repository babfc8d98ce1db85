package io.kedge.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code kedge version}: kedge's version and the Kafka it is built against. */
@Command(
    name = "version",
    mixinStandardHelpOptions = true,
    description = "Print the kedge version.")
public final class VersionCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    for (String line : versionLines()) {
      spec.commandLine().getOut().println(line);
    }
  }

  /** The kedge version, e.g. {@code 0.1.0-SNAPSHOT}. */
  static String version() {
    return properties().getProperty("version", "unknown");
  }

  private static Properties properties() {
    Properties props = new Properties();
    try (InputStream in = VersionCommand.class.getResourceAsStream("/kedge-version.properties")) {
      if (in != null) {
        props.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return props;
  }

  static String[] versionLines() {
    Properties props = properties();
    return new String[] {
      "kedge " + props.getProperty("version", "unknown"),
      "kafka " + props.getProperty("kafka", "unknown"),
      "java " + System.getProperty("java.version")
    };
  }

  /** Supplies {@code kedge --version}. */
  public static final class Provider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return versionLines();
    }
  }
}
