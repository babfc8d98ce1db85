package io.kedge.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * docs/metrics.md from a Prometheus scrape: every {@code kedge_*} family with its type, the series
 * names PromQL uses, their labels and the meaning its description gives.
 */
final class MetricsReference {
  private static final Set<String> BUCKET_LABELS = Set.of("le", "quantile");

  private record Family(String type, String help, Set<String> series, Set<String> labels) {}

  private MetricsReference() {}

  static String of(String scrape) {
    Map<String, Family> families = new TreeMap<>();
    for (String line : scrape.split("\n")) {
      if (line.startsWith("# HELP kedge_")) {
        String[] parts = line.substring("# HELP ".length()).split(" ", 2);
        family(families, parts[0], null, parts.length > 1 ? parts[1] : "");
      } else if (line.startsWith("# TYPE kedge_")) {
        String[] parts = line.substring("# TYPE ".length()).split(" ", 2);
        family(families, parts[0], parts[1], null);
      } else if (line.startsWith("kedge_")) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        String series = line.substring(0, brace >= 0 && brace < space ? brace : space);
        Family family = familyOf(families, series);
        family.series().add(series);
        if (brace >= 0 && brace < space) {
          for (String label : labels(line.substring(brace + 1, line.lastIndexOf('}')))) {
            if (!BUCKET_LABELS.contains(label)) {
              family.labels().add(label);
            }
          }
        }
      }
    }
    StringBuilder doc = new StringBuilder();
    doc.append("# Metrics reference\n\n")
        .append(
            "<!-- Generated from a running kedge by MetricsReferenceIT; do not edit. Regenerate"
                + " with ./mvnw -pl launcher verify -Dit.test=MetricsReferenceIT"
                + " -Dkedge.docs.update=true -->\n\n")
        .append(
            "Every `kedge_*` series the cloud, the edge, the webhook and the OPC UA mapper export"
                + " on `/metrics` (Prometheus text format), as a scrape of `kedge local` with a"
                + " rule, a REST message, the webhook, a manifest directory and a mapper shows them. Edge series carry"
                + " the `node` label: one series per node. JVM and process series"
                + " (`jvm_*`, `process_*`, `system_*`) and the cloud's Kafka client and Kafka"
                + " Streams series (`kafka_*`) are exported too and not listed; the Kafka series"
                + " of node topics are left out, so a scrape does not grow with the fleet.\n\n")
        .append("| metric | type | labels | meaning |\n|---|---|---|---|\n");
    families.forEach(
        (name, family) ->
            doc.append("| ")
                .append(String.join(" ", family.series().stream().map(s -> "`" + s + "`").toList()))
                .append(" | ")
                .append(family.type() == null ? "" : family.type())
                .append(" | ")
                .append(
                    String.join(", ", family.labels().stream().map(l -> "`" + l + "`").toList()))
                .append(" | ")
                .append(family.help() == null ? "" : family.help().replace("|", "\\|"))
                .append(" |\n"));
    return doc.toString();
  }

  private static void family(Map<String, Family> families, String name, String type, String help) {
    Family old = families.get(name);
    families.put(
        name,
        new Family(
            type != null ? type : old == null ? null : old.type(),
            help != null ? help : old == null ? null : old.help(),
            old == null ? new TreeSet<>() : old.series(),
            old == null ? new TreeSet<>() : old.labels()));
  }

  /** The family a series belongs to: the longest family name it starts with. */
  private static Family familyOf(Map<String, Family> families, String series) {
    String best = null;
    for (String name : families.keySet()) {
      if (series.startsWith(name) && (best == null || name.length() > best.length())) {
        best = name;
      }
    }
    if (best == null) {
      family(families, series, null, null);
      best = series;
    }
    return families.get(best);
  }

  /** The label names of {@code a="x",b="y"} (values may hold commas and escaped quotes). */
  private static List<String> labels(String text) {
    List<String> names = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      int eq = text.indexOf('=', i);
      if (eq < 0) {
        break;
      }
      names.add(text.substring(i, eq).trim());
      int j = eq + 2; // after ="
      while (j < text.length() && text.charAt(j) != '"') {
        j += text.charAt(j) == '\\' ? 2 : 1;
      }
      i = j + 2; // after ",
    }
    return names;
  }
}
