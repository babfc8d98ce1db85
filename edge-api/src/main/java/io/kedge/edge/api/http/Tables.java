package io.kedge.edge.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.edge.api.view.ResourceType;
import io.kedge.schemas.EventCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * Server-side printing: the {@code meta.k8s.io} Table that kubectl asks for ({@code Accept:
 * application/json;as=Table;v=v1;g=meta.k8s.io}), with kube-apiserver's columns for the built-in
 * kinds it prints ({@link KindPrinters}), a CRD's printer columns, and Kubernetes' default Name /
 * Created At columns for other kinds. Rows carry the object's metadata, the whole object or
 * nothing, as {@code includeObject} asks.
 */
final class Tables {
  /** What a row carries besides its cells ({@code includeObject}). */
  enum Include {
    NONE,
    METADATA,
    OBJECT;

    static Include parse(String value) {
      return switch (value) {
        case "", "Metadata" -> METADATA;
        case "None" -> NONE;
        case "Object" -> OBJECT;
        default ->
            throw new IllegalArgumentException(
                "includeObject must be None, Metadata or Object, not '" + value + "'");
      };
    }
  }

  private final Clock clock;

  Tables(Clock clock) {
    this.clock = clock;
  }

  /**
   * The Table version an {@code Accept} header prefers over plain JSON, or null for plain JSON.
   * Media ranges are taken in order; the first one this server can produce wins.
   */
  static String tableVersion(String accept) {
    if (accept == null || accept.isBlank()) {
      return null;
    }
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      String media = parts[0].trim().toLowerCase(Locale.ROOT);
      String as = "";
      String group = "";
      String version = "";
      for (int i = 1; i < parts.length; i++) {
        String[] kv = parts[i].trim().split("=", 2);
        if (kv.length == 2) {
          switch (kv[0].trim()) {
            case "as" -> as = kv[1].trim();
            case "g" -> group = kv[1].trim();
            case "v" -> version = kv[1].trim();
            default -> {}
          }
        }
      }
      boolean json = media.equals("application/json") || media.equals("*/*");
      if (json && as.equals("Table") && group.equals("meta.k8s.io")) {
        if (version.equals("v1") || version.equals("v1beta1")) {
          return version;
        }
        continue; // a Table version this server does not produce: try the next range
      }
      if (json && as.isEmpty()) {
        return null;
      }
    }
    return null;
  }

  /** A Table of {@code objects}; {@code listMetadata} becomes its metadata. */
  ObjectNode table(
      ResourceType type,
      String version,
      List<? extends JsonNode> objects,
      Include include,
      ObjectNode listMetadata) {
    ObjectNode table = EventCodec.json().createObjectNode();
    table.put("kind", "Table").put("apiVersion", "meta.k8s.io/" + version);
    table.set("metadata", listMetadata);
    table.set("columnDefinitions", columns(type));
    ArrayNode rows = table.putArray("rows");
    for (JsonNode object : objects) {
      rows.add(row(type, object, include));
    }
    return table;
  }

  private static ArrayNode columns(ResourceType type) {
    ArrayNode columns = EventCodec.json().createArrayNode();
    KindPrinters.Printer printer = KindPrinters.of(type);
    if (printer == null || printer.namedFirst()) {
      column(columns, "Name", "string", "name", 0, "Name must be unique within a namespace.");
    }
    if (printer != null) {
      for (KindPrinters.Column c : printer.columns()) {
        String format = c.name().equals("Name") ? "name" : ""; // an Event's, last
        column(columns, c.name(), "string", format, c.priority(), c.description());
      }
    } else if (!type.printerColumns().isEmpty()) {
      for (ResourceType.PrinterColumn c : type.printerColumns()) {
        column(columns, c.name(), c.type(), c.format(), c.priority(), c.description());
      }
    } else if (type.group().contains(".") && !type.group().endsWith("k8s.io")) {
      column(columns, "Age", "date", "", 0, "Time since the object was created.");
    } else {
      column(columns, "Created At", "date", "", 0, "When the object was created.");
    }
    return columns;
  }

  private static void column(
      ArrayNode columns, String name, String type, String format, int priority, String doc) {
    columns
        .addObject()
        .put("name", name)
        .put("type", type)
        .put("format", format)
        .put("description", doc)
        .put("priority", priority);
  }

  private ObjectNode row(ResourceType type, JsonNode object, Include include) {
    ObjectNode row = EventCodec.json().createObjectNode();
    ArrayNode cells = row.putArray("cells");
    JsonNode metadata = object.path("metadata");
    KindPrinters.Printer printer = KindPrinters.of(type);
    if (printer == null || printer.namedFirst()) {
      cells.add(metadata.path("name").asText());
    }
    if (printer != null) {
      printer.cells(object, cells, this::age);
    } else if (!type.printerColumns().isEmpty()) {
      for (ResourceType.PrinterColumn column : type.printerColumns()) {
        cells.add(printerCell(column, object));
      }
    } else if (type.group().contains(".") && !type.group().endsWith("k8s.io")) {
      cells.add(age(metadata.path("creationTimestamp").asText("")));
    } else {
      cells.add(metadata.path("creationTimestamp").asText(""));
    }
    switch (include) {
      case OBJECT -> row.set("object", object);
      case METADATA -> {
        ObjectNode partial = row.putObject("object");
        partial.put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
        partial.set("metadata", metadata);
      }
      case NONE -> {}
    }
    return row;
  }

  /**
   * A CRD column's cell as kube-apiserver's table convertor makes it: the first value its JSONPath
   * selects, a date as an age, nothing (null) when it selects nothing.
   */
  private JsonNode printerCell(ResourceType.PrinterColumn column, JsonNode object) {
    JsonNode value;
    try {
      value = SimpleJsonPath.parse(column.jsonPath()).first(object);
    } catch (IllegalArgumentException e) {
      value = null;
    }
    if (value == null || value.isNull()) {
      return com.fasterxml.jackson.databind.node.NullNode.getInstance();
    }
    return switch (column.type()) {
      case "date" ->
          EventCodec.json()
              .getNodeFactory()
              .textNode(value.isTextual() ? age(value.asText()) : "<invalid>");
      case "string" ->
          EventCodec.json()
              .getNodeFactory()
              .textNode(value.isValueNode() ? value.asText() : value.toString());
      default -> value;
    };
  }

  /** The age of a timestamp as kubectl shows it ({@code 45s}, {@code 3m12s}, {@code 5d}). */
  String age(String timestamp) {
    if (timestamp.isEmpty()) {
      return "<unknown>";
    }
    try {
      return humanDuration(Duration.between(Instant.parse(timestamp), clock.instant()));
    } catch (DateTimeParseException e) {
      return "<invalid>";
    }
  }

  /** Kubernetes' HumanDuration: coarser the older, two units while the second still matters. */
  static String humanDuration(Duration d) {
    long seconds = d.toSeconds();
    if (seconds < -1) {
      return "<invalid>";
    } else if (seconds < 0) {
      return "0s";
    } else if (seconds < 60 * 2) {
      return seconds + "s";
    }
    long minutes = d.toMinutes();
    if (minutes < 10) {
      long s = seconds % 60;
      return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
    } else if (minutes < 60 * 3) {
      return minutes + "m";
    }
    long hours = d.toHours();
    if (hours < 8) {
      long m = minutes % 60;
      return m == 0 ? hours + "h" : hours + "h" + m + "m";
    } else if (hours < 48) {
      return hours + "h";
    } else if (hours < 24 * 8) {
      long h = hours % 24;
      return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
    } else if (hours < 24 * 365 * 2) {
      return hours / 24 + "d";
    } else if (hours < 24 * 365 * 8) {
      long dy = (hours / 24) % 365;
      return dy == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + dy + "d";
    }
    return hours / 24 / 365 + "y";
  }
}
