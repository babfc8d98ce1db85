package io.kedge.launcher;

import io.kedge.runtime.config.InvalidConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code kedge}: the top-level command; each subcommand is one deployable or tool. */
@Command(
    name = "kedge",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "Kubernetes workloads and devices at the edge over Apache Kafka.",
    subcommands = {
      LocalCommand.class,
      CloudCommand.class,
      EdgeCommand.class,
      ApplyCommand.class,
      DeleteCommand.class,
      NodeCommand.class,
      NodesCommand.class,
      RepartitionCommand.class,
      VersionCommand.class,
      MapperCommand.class,
      CommandLine.HelpCommand.class
    })
public final class KedgeCommand implements Runnable {
  /** Exit code for a configuration or usage error. */
  public static final int CONFIG_ERROR = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * The benchmarks' command, in module {@code bench/}, which builds on this one: present when its
   * classes are on the class path ({@code ./kedge bench} adds them), absent from the images.
   */
  static final String BENCH_COMMAND = "io.kedge.bench.BenchCommand";

  /** The command line with kedge's error handling: config problems are printed, not thrown. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new KedgeCommand());
    try {
      cli.addSubcommand(
          "bench",
          Class.forName(BENCH_COMMAND, true, KedgeCommand.class.getClassLoader())
              .getConstructor()
              .newInstance());
    } catch (ClassNotFoundException absent) {
      // a distribution without benchmarks
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot create " + BENCH_COMMAND, e);
    }
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof InvalidConfigException) {
            commandLine.getErr().println("kedge: " + e.getMessage());
            return CONFIG_ERROR;
          }
          throw e;
        });
    return cli;
  }

  /** What one run of the command line returned and printed. */
  public record Outcome(int exit, String out, String err) {}

  /** Runs {@code kedge ARGS} in this JVM, collecting what it prints (tools and tests). */
  public static Outcome run(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    CommandLine cli = commandLine();
    cli.setOut(new java.io.PrintWriter(out, true));
    cli.setErr(new java.io.PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Outcome(exit, out.toString(), err.toString());
  }
}
