package io.kedge.runtime.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kedge.runtime.lifecycle.DaemonThreads;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations endpoint every kedge deployable serves on its own port: {@code /metrics}
 * (Prometheus text), {@code /healthz} (the process answers) and {@code /readyz} (it does its job;
 * otherwise 503 with the reason). The JDK's HTTP server keeps it free of dependencies.
 */
public final class OpsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);

  private final HttpServer server;
  private final ExecutorService executor;
  private final JvmGcMetrics gc;

  private OpsServer(HttpServer server, ExecutorService executor, JvmGcMetrics gc) {
    this.server = server;
    this.executor = executor;
    this.gc = gc;
  }

  /** A Prometheus registry for a deployable's metrics; {@link #start} adds the JVM's own. */
  public static PrometheusMeterRegistry registry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /**
   * Binds {@code host:port} (0 picks a free port) and serves.
   *
   * @param unreadyReason null when ready, else why not (served with 503)
   */
  public static OpsServer start(
      String host, int port, PrometheusMeterRegistry registry, Supplier<String> unreadyReason) {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 16);
    } catch (IOException e) {
      gc.close();
      throw new UncheckedIOException(
          "the operations endpoint cannot listen on " + host + ":" + port + ": " + e.getMessage(),
          e);
    }
    server.createContext("/healthz", exchange -> reply(exchange, 200, "text/plain", "ok"));
    server.createContext(
        "/readyz",
        exchange -> {
          String reason = unreadyReason.get();
          reply(exchange, reason == null ? 200 : 503, "text/plain", reason == null ? "ok" : reason);
        });
    server.createContext(
        "/metrics",
        exchange ->
            reply(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    ExecutorService executor = DaemonThreads.pool("kedge-ops", 2);
    server.setExecutor(executor);
    server.start();
    OpsServer ops = new OpsServer(server, executor, gc);
    LOG.info("metrics and health on http://{}:{}/metrics, /healthz, /readyz", host, ops.port());
    return ops;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Serves {@code body()} as JSON on {@code path} too (e.g. the cloud's {@code /fleet}). */
  public void serveJson(String path, Supplier<String> body) {
    server.createContext(path, exchange -> reply(exchange, 200, "application/json", body.get()));
  }

  private static void reply(HttpExchange exchange, int code, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    gc.close();
  }
}
