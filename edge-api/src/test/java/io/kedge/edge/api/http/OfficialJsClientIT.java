package io.kedge.edge.api.http;

import static io.kedge.edge.api.view.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.kedge.testkit.NodeModules;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official Kubernetes JavaScript client ({@code @kubernetes/client-node}, installed by {@code
 * .ci/fetch-js-client}) against the edge API: its informer with a label selector and its merge
 * patches, run by Node.js from {@code js-client/informer.mjs}.
 */
class OfficialJsClientIT {
  private EdgeApiFixture edge;
  private Path script;

  /** The directory holding node_modules/@kubernetes/client-node, found upwards from here. */
  static Optional<Path> clientDirectory() {
    return NodeModules.installed(".js-client", "@kubernetes/client-node");
  }

  @BeforeEach
  void start() throws Exception {
    Path client = clientDirectory().orElse(null);
    Assumptions.assumeTrue(
        client != null,
        "SKIPPED: @kubernetes/client-node is not installed; run .ci/fetch-js-client");
    // ES modules resolve packages from the script's own directory, so the script goes beside them
    script = Files.createTempFile(client, "informer-", ".mjs");
    try (InputStream in = getClass().getResourceAsStream("/js-client/informer.mjs")) {
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
    edge = new EdgeApiFixture(Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() throws Exception {
    if (edge != null) {
      edge.close();
    }
    if (script != null) {
      Files.deleteIfExists(script);
    }
  }

  @Test
  void informerWithALabelSelectorFollowsMergePatches() throws Exception {
    edge.seed(
        pod("default", "web-0", "edge-1", "Running", "app", "web"),
        pod("default", "db-0", "edge-1", "Running", "app", "db"));

    List<String> lines =
        ClientScript.run(
            "(add|update|delete|synced|done).*",
            "node",
            script.toString(),
            edge.url(),
            "default",
            "app=web",
            "web-0=other",
            "db-0=web");
    assertThat(lines).containsExactly("add web-0", "synced", "delete web-0", "add db-0", "done");
  }
}
