package io.kedge.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kedge.schemas.EventCodec;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kedge nodes [NAME]}: the fleet as the cloud sees it from the nodes' heartbeats, read from
 * a cloud's operations endpoint ({@code /fleet}): link, lag, last seen, version, uplink backlog,
 * disk; as a table, JSON or YAML, once or {@code --watch}ing.
 */
@Command(
    name = "nodes",
    mixinStandardHelpOptions = true,
    description =
        "Show every edge node's health as the cloud sees it (link, lag, last seen, version, uplink"
            + " backlog, disk), or one node's detail.")
public final class NodesCommand implements Callable<Integer> {
  /** Where a cloud serves the fleet on its operations port. */
  public static final String PATH = "/fleet";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "NAME", description = "One node: its detail.")
  String name;

  @Option(
      names = "--cloud",
      paramLabel = "URL",
      defaultValue = "http://127.0.0.1:9100",
      description = "The cloud's operations endpoint (ops.port; default: ${DEFAULT-VALUE}).")
  String cloud;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "table",
      description = "table, json or yaml (default: ${DEFAULT-VALUE}).")
  String output;

  @Option(
      names = {"-w", "--watch"},
      description = "Print again every --interval.")
  boolean watch;

  @Option(
      names = "--interval",
      paramLabel = "SECONDS",
      defaultValue = "2",
      description = "How often --watch prints, in seconds (default: ${DEFAULT-VALUE}).")
  int intervalSeconds;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (!output.equals("table") && !output.equals("json") && !output.equals("yaml")) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--output: " + output + " is not one of table, json, yaml");
    }
    if (intervalSeconds < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--interval: " + intervalSeconds + " must be at least 1 second");
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    URI uri = URI.create(cloud.replaceAll("/+$", "") + PATH);
    while (true) {
      JsonNode nodes;
      try {
        nodes = fetch(http, uri);
      } catch (IOException e) {
        spec.commandLine().getErr().println("kedge nodes: " + e.getMessage());
        return 1;
      }
      if (name != null) {
        JsonNode one = null;
        for (JsonNode node : nodes) {
          if (node.path("node").asText().equals(name)) {
            one = node;
          }
        }
        if (one == null) {
          spec.commandLine()
              .getErr()
              .println("kedge nodes: node " + name + " has sent no heartbeat to " + cloud);
          return 1;
        }
        print(out, one, true);
      } else {
        print(out, nodes, false);
      }
      out.flush();
      if (!watch) {
        return 0;
      }
      Thread.sleep(intervalSeconds * 1000L);
      if (output.equals("table")) {
        out.println();
      }
    }
  }

  private JsonNode fetch(HttpClient http, URI uri) throws IOException, InterruptedException {
    HttpResponse<String> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IOException(
          "cannot reach the cloud's operations endpoint at "
              + uri
              + " ("
              + e
              + "); give it with --cloud",
          e);
    }
    if (response.statusCode() != 200) {
      throw new IOException(uri + " answered " + response.statusCode() + ": " + response.body());
    }
    return EventCodec.json().readTree(response.body()).path("nodes");
  }

  private void print(PrintWriter out, JsonNode value, boolean detail) throws IOException {
    switch (output) {
      case "json" ->
          out.println(EventCodec.json().writerWithDefaultPrettyPrinter().writeValueAsString(value));
      case "yaml" -> out.print(new YAMLMapper().writeValueAsString(value));
      default -> {
        if (detail) {
          value
              .properties()
              .forEach(e -> out.printf("%-20s %s%n", e.getKey() + ":", e.getValue().asText()));
        } else {
          table(out, (ArrayNode) value);
        }
      }
    }
  }

  private static void table(PrintWriter out, ArrayNode nodes) {
    String format = "%-24s %-13s %8s %10s %9s %8s %10s  %s%n";
    out.printf(
        format, "NODE", "LINK", "LAG", "BEHIND", "LAST SEEN", "UPLINK", "DISK FREE", "VERSION");
    for (JsonNode n : nodes) {
      long lag = n.path("lagRecords").asLong();
      out.printf(
          format,
          n.path("node").asText(),
          n.path("link").asText(),
          lag < 0 ? "?" : Long.toString(lag),
          lag > 0 ? seconds(n.path("behindSeconds").asDouble()) : "-",
          seconds(n.path("lastSeenSecondsAgo").asDouble()) + " ago",
          n.path("uplinkBacklog").asText(),
          bytes(n.path("diskFreeBytes").asLong()),
          n.path("version").asText());
    }
    if (nodes.isEmpty()) {
      out.println("(no node has sent a heartbeat yet)");
    }
  }

  private static String seconds(double s) {
    if (s < 120) {
      return String.format(Locale.ROOT, "%.0fs", s);
    }
    if (s < 7200) {
      return String.format(Locale.ROOT, "%.0fm", s / 60);
    }
    return String.format(Locale.ROOT, "%.1fh", s / 3600);
  }

  private static String bytes(long b) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = b;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, u == 0 ? "%.0f%s" : "%.1f%s", v, units[u]);
  }
}
