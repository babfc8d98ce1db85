package io.kedge.edge.api.http;

import static io.kedge.edge.api.view.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Kubernetes Python client (Debian's {@code python3-kubernetes}, which {@code .ci/run}
 * installs) against the edge API: a list, then a watch with a label selector as the client sends it
 * ({@code watch=True}), while its merge patches move pods out of and into the selection.
 */
class OfficialPythonClientIT {
  private static final String PYTHON = "/usr/bin/python3";
  private EdgeApiFixture edge;

  static boolean clientInstalled() {
    try {
      Process check = new ProcessBuilder(PYTHON, "-c", "import kubernetes").start();
      return check.waitFor(30, TimeUnit.SECONDS) && check.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(
        clientInstalled(),
        "SKIPPED: the Python client is not installed (apt-get install python3-kubernetes)");
    edge = new EdgeApiFixture(Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() {
    if (edge != null) {
      edge.close();
    }
  }

  @Test
  void watchTrueWithALabelSelectorFollowsPatches(@TempDir Path tmp) throws Exception {
    edge.seed(
        pod("default", "web-0", "edge-1", "Running", "app", "web"),
        pod("default", "db-0", "edge-1", "Running", "app", "db"));
    Path script = tmp.resolve("watch.py");
    try (InputStream in = getClass().getResourceAsStream("/python-client/watch.py")) {
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
    List<String> lines =
        ClientScript.run(
            "(listed|ADDED|MODIFIED|DELETED|done).*",
            PYTHON,
            script.toString(),
            edge.url(),
            "default",
            "app=web",
            "web-0=other",
            "db-0=web");
    assertThat(lines).containsExactly("listed web-0", "DELETED web-0", "ADDED db-0", "done");
  }
}
