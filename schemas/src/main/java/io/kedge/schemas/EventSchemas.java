package io.kedge.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/** The JSON Schema of each event type's data, loaded once from the classpath. */
public final class EventSchemas {
  private final Map<EventType, JsonSchema> schemas;

  private EventSchemas(Map<EventType, JsonSchema> schemas) {
    this.schemas = schemas;
  }

  public static EventSchemas load() {
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    Map<EventType, JsonSchema> schemas = new EnumMap<>(EventType.class);
    for (EventType type : EventType.values()) {
      try (InputStream in = EventSchemas.class.getResourceAsStream(type.schemaResource())) {
        if (in == null) {
          throw new IllegalStateException("schema " + type.schemaResource() + " is missing");
        }
        schemas.put(type, factory.getSchema(in));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new EventSchemas(schemas);
  }

  /**
   * Validates {@code data} against {@code type}'s schema.
   *
   * @throws InvalidEventException for the first problem in document order, naming its path
   */
  public void validate(EventType type, JsonNode data) {
    Set<ValidationMessage> errors = schemas.get(type).validate(data);
    if (errors.isEmpty()) {
      return;
    }
    ValidationMessage first =
        errors.stream()
            .min(Comparator.comparing((ValidationMessage m) -> fieldOf(m)))
            .orElseThrow();
    throw new InvalidEventException(fieldOf(first), first.getError() + " (" + type.ceType() + ")");
  }

  private static String fieldOf(ValidationMessage message) {
    String location = message.getInstanceLocation().toString();
    String path = "data" + (location.startsWith("$") ? location.substring(1) : location);
    if ("required".equals(message.getType()) && message.getProperty() != null) {
      path = path + "." + message.getProperty();
    }
    return path;
  }
}
