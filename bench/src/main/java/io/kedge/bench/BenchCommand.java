package io.kedge.bench;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kedge bench NAME [--quick]}: an end-to-end benchmark measured against its baseline in the
 * same run; the last line is {@code RATIO <name> <value> (<what over what>)}.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Measure a goal against its baseline in the same run (names: list, relay, rules, opcua, router, scale, reconnect, footprint, jmh).")
public final class BenchCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "NAME",
      description =
          "Benchmark: list, relay, rules, opcua, router, scale, reconnect, footprint, jmh.")
  String name;

  @Option(names = "--quick", description = "A short run (under 2 minutes).")
  boolean quick;

  @Option(
      names = "--instances",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "router only: 2 runs two kedge cloud processes and kills one mid-stream (default: 1).")
  int instances;

  @Option(
      names = "--server",
      paramLabel = "STACK",
      defaultValue = "milo",
      description =
          "opcua only: the OPC UA server's stack, milo or node-opcua (installed by"
              + " .ci/fetch-node-opcua; default: milo).")
  String server;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String ratio =
        switch (name) {
          case "list" -> new ListBenchmark(quick, out).run();
          case "relay" -> new RelayBenchmark(quick, out).run();
          case "rules" -> new RulesBenchmark(quick, out).run();
          case "opcua" ->
              new OpcUaBenchmark(quick, OpcUaBenchServers.named(server, spec.commandLine()), out)
                  .run();
          case "router" ->
              switch (instances) {
                case 1 -> new RouterBenchmark(quick, out).run();
                case 2 -> new FailoverBenchmark(quick, out).run();
                default ->
                    throw new CommandLine.ParameterException(
                        spec.commandLine(), "--instances " + instances + " must be 1 or 2");
              };
          case "scale" -> new ScaleBenchmark(quick, out).run();
          case "reconnect" -> new ReconnectBenchmark(quick, out).run();
          case "footprint" -> new FootprintBenchmark(quick, out).run();
          case "jmh" -> new JmhBenchmark(quick, out).run();
          default ->
              throw new CommandLine.ParameterException(
                  spec.commandLine(),
                  "unknown benchmark '"
                      + name
                      + "': the benchmarks are: list, relay, rules, opcua, router, scale, reconnect, footprint, jmh");
        };
    out.println(ratio);
    out.flush();
    return 0;
  }
}
