package io.kedge.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * npm packages the {@code .ci/fetch-*} scripts install into a directory of the checkout (such as
 * {@code .js-client} or {@code .node-opcua}), found from a test's working directory upwards.
 */
public final class NodeModules {
  private NodeModules() {}

  /** The directory named {@code dir}, here or in a parent, holding {@code node_modules/<pkg>}. */
  public static Optional<Path> installed(String dir, String pkg) {
    for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
      Path candidate = at.resolve(dir);
      if (Files.isRegularFile(
          candidate.resolve("node_modules").resolve(pkg).resolve("package.json"))) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
