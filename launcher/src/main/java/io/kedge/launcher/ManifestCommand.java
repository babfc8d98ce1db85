package io.kedge.launcher;

import io.kedge.cloud.manifest.Manifest;
import io.kedge.cloud.manifest.ManifestException;
import io.kedge.cloud.manifest.ManifestPublisher;
import io.kedge.cloud.manifest.ManifestReader;
import io.kedge.cloud.rules.RuleAdmission;
import io.kedge.runtime.config.InvalidConfigException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Shared options and flow of {@code kedge apply} and {@code kedge delete}. */
abstract class ManifestCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-f", "--filename"},
      required = true,
      paramLabel = "FILE|DIR",
      description = "Manifest file or directory.")
  Path path;

  @CommandLine.Mixin KafkaOptions kafka;

  abstract boolean upsert();

  /**
   * Whether the manifests' Rules and RuleEndpoints would route beside the ones stored, checked as
   * Kubernetes mode's admission webhook checks them; the refusals are printed, and nothing is
   * applied then.
   */
  private boolean admitted(List<Manifest> manifests, PrintWriter err) {
    List<com.fasterxml.jackson.databind.node.ObjectNode> rules =
        manifests.stream()
            .map(Manifest::object)
            .filter(o -> o.path("apiVersion").asText("").startsWith("rules.kubeedge.io/"))
            .toList();
    if (rules.isEmpty()) {
      return true;
    }
    Map<String, List<String>> refused;
    try {
      refused =
          RuleAdmission.refusals(
              RuleAdmission.load(
                  kafka.adminSettings(), kafka.topics().resources().name(), kafka.timeout()),
              rules);
    } catch (RuntimeException e) {
      err.println("kedge: " + e.getMessage());
      return false;
    }
    refused.forEach(
        (what, problems) ->
            err.println("kedge: " + what + " is refused: " + String.join("; ", problems)));
    if (!refused.isEmpty()) {
      err.println("kedge: nothing was applied");
      err.flush();
    }
    return refused.isEmpty();
  }

  abstract String verb();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Manifest> manifests;
    Map<String, Object> clientSettings;
    try {
      clientSettings = kafka.clientSettings();
      manifests = new ManifestReader().read(path);
    } catch (ManifestException | InvalidConfigException e) {
      err.println("kedge: " + e.getMessage());
      return KedgeCommand.CONFIG_ERROR;
    }
    if (upsert() && !admitted(manifests, err)) {
      return 1;
    }
    try (ManifestPublisher publisher =
        new ManifestPublisher(kafka.kafka, clientSettings, kafka.topics(), kafka.timeout())) {
      java.util.function.Consumer<Manifest> report =
          m ->
              out.println(
                  m.key().kind().toLowerCase(java.util.Locale.ROOT)
                      + "/"
                      + m.key().name()
                      + (m.key().namespace().isEmpty() ? "" : " -n " + m.key().namespace())
                      + " "
                      + verb());
      if (upsert()) {
        publisher.apply(manifests, report);
      } else {
        publisher.delete(manifests, report);
      }
    } catch (RuntimeException e) {
      err.println("kedge: " + e.getMessage());
      return 1;
    }
    out.flush();
    return 0;
  }
}
