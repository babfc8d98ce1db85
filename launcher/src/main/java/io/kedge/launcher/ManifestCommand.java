package io.kedge.launcher;

import io.kedge.cloud.manifest.Manifest;
import io.kedge.cloud.manifest.ManifestException;
import io.kedge.cloud.manifest.ManifestPublisher;
import io.kedge.cloud.manifest.ManifestReader;
import io.kedge.runtime.config.ConfigException;
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
    } catch (ManifestException | ConfigException e) {
      err.println("kedge: " + e.getMessage());
      return KedgeCommand.CONFIG_ERROR;
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
