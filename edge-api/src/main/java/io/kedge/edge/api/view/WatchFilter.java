package io.kedge.edge.api.view;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Predicate;

/** Which objects a list or watch is about: one kind, optionally one namespace, and selectors. */
public record WatchFilter(
    ResourceType type, String namespace, Predicate<JsonNode> labels, Predicate<JsonNode> fields) {

  public static WatchFilter all(ResourceType type) {
    return new WatchFilter(type, "", o -> true, o -> true);
  }

  public String typeKey() {
    return View.typeKey(type.group(), type.kind());
  }

  public boolean matches(JsonNode object) {
    if (object == null) {
      return false;
    }
    if (!namespace.isEmpty()
        && !namespace.equals(object.path("metadata").path("namespace").asText(""))) {
      return false;
    }
    return labels.test(object) && fields.test(object);
  }
}
