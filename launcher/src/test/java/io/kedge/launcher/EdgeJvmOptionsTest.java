package io.kedge.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EdgeJvmOptionsTest {
  @Test
  void readsOptionsAsTheJavaLauncherReadsAnArgumentFile() {
    assertThat(EdgeJvmOptions.parse("# heap\n-Xmx64m   -Xms8m\n\n-XX:+UseSerialGC # one thread\n"))
        .containsExactly("-Xmx64m", "-Xms8m", "-XX:+UseSerialGC");
  }

  @Test
  void theShippedFileBoundsTheHeapAndPicksTheGc() {
    assertThat(EdgeJvmOptions.shipped())
        .anyMatch(o -> o.startsWith("-Xmx"))
        .anyMatch(o -> o.startsWith("-XX:+Use") && o.endsWith("GC"))
        .noneMatch(o -> o.startsWith("#"));
  }
}
