package io.kedge.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A Java main class running in a child JVM with this JVM's classpath, so a test can {@code kill -9}
 * it and start it again. Its output goes to a file that the test can wait on.
 */
public final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final Path output;
  private final String name;

  private ChildJvm(String name, Process process, Path output) {
    this.name = name;
    this.process = process;
    this.output = output;
  }

  /**
   * Starts {@code mainClass} with {@code args}; {@code jvmFlags} come before the class (e.g.
   * Chronicle's {@code --add-opens}). Output is appended to {@code output}.
   */
  public static ChildJvm start(
      String name, Class<?> mainClass, List<String> jvmFlags, List<String> args, Path output) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.addAll(jvmFlags);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(args);
    try {
      Files.createDirectories(output.toAbsolutePath().getParent());
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
              .start();
      return new ChildJvm(name, process, output);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start child JVM " + name, e);
    }
  }

  /** The JVM flags kedge needs for Chronicle Queue on Java 17, as the launcher passes them. */
  public static List<String> chronicleFlags() {
    return List.of(
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "-Dchronicle.analytics.disable=true");
  }

  /**
   * Waits until a line of output matches {@code pattern}.
   *
   * @throws IllegalStateException with the output's tail when the process dies or time runs out
   */
  public void awaitOutput(Pattern pattern, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (outputMatches(pattern)) {
        return;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name
                + " exited with "
                + process.exitValue()
                + " before printing '"
                + pattern
                + "':\n"
                + tail());
      }
      pause(50);
    }
    throw new IllegalStateException(
        name + " did not print '" + pattern + "' within " + timeout + ":\n" + tail());
  }

  /** True when some line of the output so far matches {@code pattern}. */
  public boolean outputMatches(Pattern pattern) {
    return readOutput().lines().anyMatch(line -> pattern.matcher(line).find());
  }

  public String readOutput() {
    try {
      return Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String tail() {
    String all = readOutput();
    return all.length() <= 4000 ? all : all.substring(all.length() - 4000);
  }

  /** SIGKILL: no shutdown hooks, no flush; what a power cut or OOM killer does to a process. */
  public void kill9() {
    process.destroyForcibly();
    waitFor(Duration.ofSeconds(30));
  }

  /** SIGTERM, then waits for the shutdown hooks to finish. */
  public int stop(Duration timeout) {
    process.destroy();
    return waitFor(timeout);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  private int waitFor(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException(name + " did not stop within " + timeout);
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping " + name, e);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      kill9();
    }
  }

  private static void pause(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
