package io.kedge.edge.api.http;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The health endpoints as kube-apiserver serves them: {@code /healthz}, {@code /livez} and {@code
 * /readyz} answer {@code ok} when every check passes; {@code ?verbose} lists the checks ({@code
 * [+]ping ok}) and the verdict ({@code readyz check passed}); {@code ?exclude=<check>} leaves one
 * out; {@code /readyz/<check>} runs one. A failure lists every check with its reason, 503 (a
 * probe's failure either way; kube-apiserver answers 500).
 */
final class HealthChecks {
  private static final List<String> ENDPOINTS = List.of("healthz", "livez", "readyz");

  /** Check name → its failure reason, null when it passes. */
  private final Map<String, Supplier<String>> live = new LinkedHashMap<>();

  private final Map<String, Supplier<String>> ready = new LinkedHashMap<>();

  HealthChecks(BooleanSupplier replayed) {
    live.put("ping", () -> null);
    ready.put("ping", () -> null);
    ready.put(
        "log-replayed",
        () -> replayed.getAsBoolean() ? null : "the view is still replaying the log");
  }

  /** Whether {@code path} is a health endpoint or one of its checks. */
  static boolean isPath(String path) {
    for (String endpoint : ENDPOINTS) {
      if (path.equals("/" + endpoint) || path.startsWith("/" + endpoint + "/")) {
        return true;
      }
    }
    return false;
  }

  /** The answer to {@code path} (one that {@link #isPath} accepts). */
  FullHttpResponse answer(String path, QueryStringDecoder uri) {
    String[] parts = path.substring(1).split("/", 2);
    String endpoint = parts[0];
    Map<String, Supplier<String>> checks = endpoint.equals("readyz") ? ready : live;
    if (parts.length == 2) {
      Supplier<String> check = checks.get(parts[1]);
      if (check == null) {
        return Responses.text(HttpResponseStatus.NOT_FOUND, "404 page not found");
      }
      String failure = check.get();
      return failure == null
          ? Responses.text(HttpResponseStatus.OK, "ok")
          : Responses.text(
              HttpResponseStatus.SERVICE_UNAVAILABLE,
              "[-]" + parts[1] + " failed: " + failure + "\n" + parts[1] + " check failed");
    }
    List<String> excluded = uri.parameters().getOrDefault("exclude", List.of());
    StringBuilder listing = new StringBuilder();
    boolean passed = true;
    for (Map.Entry<String, Supplier<String>> check : checks.entrySet()) {
      if (excluded.contains(check.getKey())) {
        listing.append("[+]").append(check.getKey()).append(" excluded: ok\n");
        continue;
      }
      String failure = check.getValue().get();
      passed &= failure == null;
      listing
          .append(failure == null ? "[+]" : "[-]")
          .append(check.getKey())
          .append(failure == null ? " ok" : " failed: " + failure)
          .append('\n');
    }
    if (passed && !uri.parameters().containsKey("verbose")) {
      return Responses.text(HttpResponseStatus.OK, "ok");
    }
    listing.append(endpoint).append(passed ? " check passed" : " check failed");
    return Responses.text(
        passed ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
        listing.toString());
  }
}
