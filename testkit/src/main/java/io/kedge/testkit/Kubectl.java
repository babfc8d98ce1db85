package io.kedge.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real kubectl, pointed at an edge API with {@code -s}. It is looked up in {@code
 * -Dkedge.kubectl}, {@code $KEDGE_KUBECTL}, then {@code .kubectl/kubectl} in the repository (which
 * {@code .ci/fetch-kubectl} fills); tests skip visibly when none is found.
 */
public final class Kubectl {
  private final Path binary;
  private final String server;

  private java.util.Map<String, String> environment = java.util.Map.of();

  /** The same kubectl, run with {@code variables} set (e.g. {@code KUBE_EDITOR}). */
  public Kubectl withEnvironment(java.util.Map<String, String> variables) {
    Kubectl copy = new Kubectl(binary, server);
    copy.environment = java.util.Map.copyOf(variables);
    return copy;
  }

  private Kubectl(Path binary, String server) {
    this.binary = binary;
    this.server = server;
  }

  public static Optional<Path> find() {
    return find("kedge.kubectl", "KEDGE_KUBECTL", ".kubectl/kubectl");
  }

  /**
   * Debian 12's kubectl (1.20), an older client, looked up in {@code -Dkedge.kubectl.debian},
   * {@code $KEDGE_KUBECTL_DEBIAN}, then {@code .kubectl/debian/kubectl} (which {@code
   * .ci/fetch-kubectl-debian} fills).
   */
  public static Optional<Path> findDebian() {
    return find("kedge.kubectl.debian", "KEDGE_KUBECTL_DEBIAN", ".kubectl/debian/kubectl");
  }

  private static Optional<Path> find(String property, String variable, String inRepository) {
    List<Path> candidates = new ArrayList<>();
    String set = System.getProperty(property);
    if (set != null) {
      candidates.add(Path.of(set));
    }
    String env = System.getenv(variable);
    if (env != null) {
      candidates.add(Path.of(env));
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      candidates.add(dir.resolve(inRepository));
    }
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  public static Kubectl at(Path binary, String server) {
    return new Kubectl(binary, server);
  }

  /** A finished kubectl run. */
  public record Result(int exitCode, String stdout, String stderr) {
    /** Fails the test, with kubectl's stderr, unless kubectl exited 0. */
    public void assertSucceeded() {
      if (exitCode != 0) {
        throw new AssertionError("kubectl exited " + exitCode + ": " + stderr);
      }
    }
  }

  /** Runs {@code kubectl -s <server> args...} and waits for it. */
  public Result run(String... args) {
    try {
      Path out = Files.createTempFile("kubectl", ".out");
      Path err = Files.createTempFile("kubectl", ".err");
      Process process = start(out, err, args);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "kubectl " + String.join(" ", args) + " did not finish in 60 s");
      }
      Result result =
          new Result(
              process.exitValue(),
              Files.readString(out, StandardCharsets.UTF_8),
              Files.readString(err, StandardCharsets.UTF_8));
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Starts a long-running kubectl (e.g. {@code get -w}) writing to {@code out}. */
  public Process start(Path out, Path err, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.add("-s");
    command.add(server);
    command.add("--request-timeout=30s");
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            // no terminal: kubectl must not wait for a username it prompts for after a 401
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
            .redirectError(ProcessBuilder.Redirect.appendTo(err.toFile()));
    builder.environment().put("KUBECONFIG", "/dev/null");
    builder.environment().putAll(environment);
    builder.environment().put("HOME", Files.createTempDirectory("kubectl-home").toString());
    return builder.start();
  }

  /** Waits until {@code file} contains {@code text}. */
  public static void awaitContains(Path file, String text, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).contains(text)) {
          return;
        }
        TimeUnit.MILLISECONDS.sleep(50);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    try {
      throw new IllegalStateException(
          "'"
              + text
              + "' did not appear in "
              + file
              + " within "
              + timeout
              + "; it holds:\n"
              + (Files.exists(file)
                  ? Files.readString(file, StandardCharsets.UTF_8)
                  : "(nothing)"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
