package io.kedge.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The shipped JVM argument files, as ./kedge and the images pass them to {@code java @file}. */
class JvmOptionsFileTest {
  @Test
  void readsOptionsAsTheJavaLauncherReadsAnArgumentFile() {
    assertThat(JvmOptionsFile.parse("# heap\n-Xmx64m   -Xms8m\n\n-XX:+UseSerialGC # one thread\n"))
        .containsExactly("-Xmx64m", "-Xms8m", "-XX:+UseSerialGC");
  }

  @ParameterizedTest
  @ValueSource(strings = {JvmOptionsFile.CLOUD, JvmOptionsFile.EDGE})
  void aJvmStartsWithTheFile(String resource) throws Exception {
    Path file = Path.of(getClass().getClassLoader().getResource(resource).toURI());
    // the last -XX:-AlwaysPreTouch wins: the test checks the options, not the machine's memory
    Process java =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + file,
                "-XX:-AlwaysPreTouch",
                "-version")
            .redirectErrorStream(true)
            .start();
    String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(java.exitValue()).as(output).isZero();
  }

  @Test
  void theEdgesFileBoundsTheHeapAndPicksTheGc() {
    assertThat(JvmOptionsFile.edge())
        .anyMatch(o -> o.startsWith("-Xmx"))
        .anyMatch(o -> o.startsWith("-XX:+Use") && o.endsWith("GC"))
        .noneMatch(o -> o.startsWith("#"));
  }

  @Test
  void theCloudsHeapIsFixedAndTouchedAtStart() {
    List<String> options = JvmOptionsFile.cloud();
    String max = options.stream().filter(o -> o.startsWith("-Xmx")).findFirst().orElseThrow();
    assertThat(options).contains("-Xms" + max.substring(4), "-XX:+AlwaysPreTouch");
  }
}
