package io.kedge.bench;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code kedge bench jmh}: the JMH micro-benchmarks of module {@code bench/} (event serde, the
 * relay's validation, log append and read, write request decode and patch), each in a forked JVM
 * with this one's flags (Chronicle's among them).
 */
final class JmhBenchmark {
  private final boolean quick;
  private final PrintWriter out;

  JmhBenchmark(boolean quick, PrintWriter out) {
    this.quick = quick;
    this.out = out;
  }

  String run() throws Exception {
    Options options =
        new OptionsBuilder()
            .include("io\\.kedge\\.bench\\.jmh\\..*")
            .forks(1)
            .jvmArgs(
                ManagementFactory.getRuntimeMXBean().getInputArguments().toArray(String[]::new))
            .warmupIterations(quick ? 1 : 3)
            .warmupTime(TimeValue.seconds(quick ? 1 : 2))
            .measurementIterations(quick ? 2 : 5)
            .measurementTime(TimeValue.seconds(quick ? 1 : 2))
            .build();
    Collection<RunResult> results = new Runner(options).run();
    Map<String, Double> scores = new HashMap<>();
    for (RunResult result : results) {
      String name = result.getParams().getBenchmark().replace("io.kedge.bench.jmh.", "");
      var score = result.getPrimaryResult();
      scores.put(name, score.getScore());
      out.printf(
          "bench jmh: %-36s %10.3f ± %.3f %s%n",
          name, score.getScore(), score.getScoreError(), score.getScoreUnit());
    }
    double append = scores.getOrDefault("LogBenchmark.append", Double.NaN);
    double decode = scores.getOrDefault("SerdeBenchmark.decode", Double.NaN);
    return String.format(
        "RATIO jmh %.2f (the downlink's log append of an event over a reader's decode of it, time"
            + " per event)",
        append / decode);
  }
}
