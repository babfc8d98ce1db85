package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * kube-apiserver's event columns, for core Events and events.k8s.io Events alike (kube-apiserver
 * prints the latter from their core form): when it was last seen, its type and reason, the object
 * it is about as {@code kind/name}, its message, and with {@code -o wide} the sub-object, source,
 * first sighting, count and name. The name is the last column, not the first.
 */
final class EventPrinter implements KindPrinters.Printer {
  /** Where an Event of one API keeps each part kube-apiserver prints. */
  private record Fields(
      String involvedObject,
      String message,
      String source,
      String firstTimestamp,
      String lastTimestamp,
      String count) {}

  private static final Fields CORE =
      new Fields("involvedObject", "message", "source", "firstTimestamp", "lastTimestamp", "count");
  private static final Fields EVENTS_K8S_IO =
      new Fields(
          "regarding",
          "note",
          "deprecatedSource",
          "deprecatedFirstTimestamp",
          "deprecatedLastTimestamp",
          "deprecatedCount");

  private final Fields fields;

  private EventPrinter(Fields fields) {
    this.fields = fields;
  }

  static EventPrinter core() {
    return new EventPrinter(CORE);
  }

  static EventPrinter eventsK8sIo() {
    return new EventPrinter(EVENTS_K8S_IO);
  }

  @Override
  public boolean namedFirst() {
    return false;
  }

  @Override
  public List<KindPrinters.Column> columns() {
    return List.of(
        new KindPrinters.Column(
            "Last Seen",
            0,
            "The time at which the most recent occurrence of this event was recorded."),
        new KindPrinters.Column(
            "Type",
            0,
            "Type of this event (Normal, Warning), new types could be added in the future"),
        new KindPrinters.Column(
            "Reason",
            0,
            "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
        new KindPrinters.Column("Object", 0, "The object that this event is about."),
        new KindPrinters.Column(
            "Subobject",
            1,
            "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]."),
        new KindPrinters.Column(
            "Source",
            1,
            "The component reporting this event. Should be a short machine understandable string."),
        new KindPrinters.Column(
            "Message", 0, "A human-readable description of the status of this operation."),
        new KindPrinters.Column(
            "First Seen",
            1,
            "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)"),
        new KindPrinters.Column("Count", 1, "The number of times this event has occurred."),
        new KindPrinters.Column("Name", 1, "Name must be unique within a namespace."));
  }

  @Override
  public void cells(JsonNode event, ArrayNode cells, Function<String, String> age) {
    String first = event.path(fields.firstTimestamp()).asText("");
    String firstSeen = age.apply(first.isEmpty() ? event.path("eventTime").asText("") : first);
    String last = event.path(fields.lastTimestamp()).asText("");
    String lastSeen = last.isEmpty() ? firstSeen : age.apply(last);
    long count = event.path(fields.count()).asLong(0);
    JsonNode series = event.path("series");
    if (series.isObject()) {
      lastSeen = age.apply(series.path("lastObservedTime").asText(""));
      count = series.path("count").asLong(0);
    } else if (count == 0) {
      count = 1; // singleton events of the new API carry no count
    }
    JsonNode regarding = event.path(fields.involvedObject());
    String kind = regarding.path("kind").asText("").toLowerCase(Locale.ROOT);
    String name = regarding.path("name").asText("");
    JsonNode source = event.path(fields.source());
    String component =
        firstNonEmpty(
            source.path("component").asText(""), event.path("reportingController").asText(""));
    String instance =
        firstNonEmpty(source.path("host").asText(""), event.path("reportingInstance").asText(""));
    cells.add(lastSeen);
    cells.add(event.path("type").asText(""));
    cells.add(event.path("reason").asText(""));
    cells.add(name.isEmpty() ? kind : kind + "/" + name);
    cells.add(regarding.path("fieldPath").asText(""));
    cells.add(instance.isEmpty() ? component : component + ", " + instance);
    cells.add(event.path(fields.message()).asText("").strip());
    cells.add(firstSeen);
    cells.add(count);
    cells.add(event.path("metadata").path("name").asText(""));
  }

  private static String firstNonEmpty(String a, String b) {
    return a.isEmpty() ? b : a;
  }
}
