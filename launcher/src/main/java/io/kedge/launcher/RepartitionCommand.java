package io.kedge.launcher;

import io.kedge.cloud.router.Repartition;
import io.kedge.runtime.config.InvalidConfigException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kedge repartition --partitions N}: moves a stopped cloud's {@code kedge.resources} to N
 * partitions, so N router instances can route at once, without edge nodes seeing a change (see
 * docs/scale.md).
 */
@Command(
    name = "repartition",
    mixinStandardHelpOptions = true,
    description =
        "Move kedge.resources of a stopped cloud to another number of partitions, keeping every"
            + " object's resourceVersion (edge nodes see no change). Stop every kedge cloud first.")
public final class RepartitionCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin KafkaOptions kafka;

  @Option(
      names = "--partitions",
      required = true,
      paramLabel = "N",
      description = "Partitions of kedge.resources afterwards (1-10000).")
  int partitions;

  @Option(
      names = "--application-id",
      paramLabel = "ID",
      defaultValue = "",
      description = "The router's application id (router.application-id; default: PREFIX-router).")
  String applicationId;

  @Option(
      names = "--backup",
      paramLabel = "FILE",
      description =
          "Where every object is written first, one JSON document per line (default:"
              + " kedge-resources-<time>.jsonl here); must not exist.")
  Path backup;

  @Option(
      names = "--from-backup",
      paramLabel = "FILE",
      description =
          "Finish a repartition that stopped after writing this backup: the topics are made anew"
              + " and its objects written to them.")
  Path fromBackup;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (partitions < 1 || partitions > 10_000) {
      err.println("kedge: --partitions " + partitions + " must be between 1 and 10000");
      return KedgeCommand.CONFIG_ERROR;
    }
    String prefix = kafka.topics().prefix();
    String app = applicationId.isEmpty() ? prefix + "-router" : applicationId;
    Path file =
        backup != null
            ? backup
            : Path.of("kedge-resources-" + Instant.now().toString().replace(':', '-') + ".jsonl");
    try (Repartition repartition =
        new Repartition(
            kafka.adminSettings(),
            kafka.topics(),
            app,
            kafka.timeout(),
            step -> {
              out.println("kedge: " + step);
              out.flush();
            })) {
      if (fromBackup != null) {
        Repartition.Result result = repartition.resume(partitions, fromBackup);
        out.printf(
            "kedge: %s made anew with %d partitions from %s: %d objects%n",
            kafka.topics().resources().name(), partitions, fromBackup, result.objects());
        return 0;
      }
      Repartition.Result result = repartition.run(partitions, file);
      if (result.backup() == null) {
        out.println(
            "kedge: "
                + kafka.topics().resources().name()
                + " has "
                + partitions
                + " partitions already; nothing to do");
      } else {
        out.printf(
            "kedge: %s moved from %d to %d partitions: %d objects, backup %s%n"
                + "kedge: start kedge cloud with topics.resource-partitions: %d%n",
            kafka.topics().resources().name(),
            result.from(),
            result.to(),
            result.objects(),
            result.backup(),
            partitions);
      }
      return 0;
    } catch (InvalidConfigException | IllegalStateException | java.io.UncheckedIOException e) {
      err.println("kedge: " + e.getMessage());
      return 1;
    }
  }
}
