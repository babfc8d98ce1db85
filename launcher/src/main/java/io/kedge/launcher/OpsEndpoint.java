package io.kedge.launcher;

import io.kedge.runtime.lifecycle.Components;
import io.kedge.runtime.ops.OpsConfig;
import io.kedge.runtime.ops.OpsServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The {@code /metrics}, {@code /healthz}, {@code /readyz} endpoint every deployable command runs.
 */
final class OpsEndpoint {
  private OpsEndpoint() {}

  /**
   * Binds the deployable's metrics, starts the endpoint as one of {@code running}'s parts and
   * prints where it is; on failure, closes what {@code running} holds and rethrows.
   */
  static OpsServer start(
      Components running,
      OpsConfig ops,
      PrometheusMeterRegistry metrics,
      Consumer<MeterRegistry> bindMetrics,
      Supplier<String> unreadyReason,
      PrintWriter out) {
    try {
      bindMetrics.accept(metrics);
      OpsServer server =
          running.add(OpsServer.start(ops.bind(), ops.port(), metrics, unreadyReason));
      out.println("  metrics    http://" + ops.bind() + ":" + server.port() + "/metrics");
      return server;
    } catch (RuntimeException e) {
      running.close();
      throw e;
    }
  }
}
