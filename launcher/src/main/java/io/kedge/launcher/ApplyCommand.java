package io.kedge.launcher;

import picocli.CommandLine.Command;

/** {@code kedge apply -f}: write manifests to the resources topic (standalone mode). */
@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    description = "Apply manifests (YAML or JSON) in standalone mode.")
public final class ApplyCommand extends ManifestCommand {
  @Override
  boolean upsert() {
    return true;
  }

  @Override
  String verb() {
    return "applied";
  }
}
