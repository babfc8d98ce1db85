package io.kedge.launcher;

import picocli.CommandLine.Command;

/** {@code kedge delete -f}: delete the objects of manifests (standalone mode). */
@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    description = "Delete the objects in manifests in standalone mode.")
public final class DeleteCommand extends ManifestCommand {
  @Override
  boolean upsert() {
    return false;
  }

  @Override
  String verb() {
    return "deleted";
  }
}
