package io.kedge.edge.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a script of an official client (Node.js, Python) against an edge API. */
final class ClientScript {
  private ClientScript() {}

  /**
   * Runs {@code command} to its end (at most 90 s), asserts it exits 0, and returns the lines of
   * its output that match {@code lines}; the whole output is the assertion message.
   */
  static List<String> run(String lines, String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    boolean exited = process.waitFor(90, TimeUnit.SECONDS);
    if (!exited) {
      process.destroyForcibly(); // then its output ends and can be read
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(exited).as(output).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output.lines().filter(l -> l.matches(lines)).toList();
  }
}
