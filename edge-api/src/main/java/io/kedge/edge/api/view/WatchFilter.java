package io.kedge.edge.api.view;

import com.fasterxml.jackson.databind.JsonNode;
import io.kedge.schemas.ObjectKey;
import java.util.function.Predicate;

/** Which objects a list or watch is about: one kind, optionally one namespace, and selectors. */
public record WatchFilter(
    ResourceType type, String namespace, Predicate<JsonNode> labels, Predicate<JsonNode> fields) {
  /** A selector that selects every object, known as such without reading the object. */
  public static final Predicate<JsonNode> EVERYTHING = o -> true;

  public static WatchFilter all(ResourceType type) {
    return new WatchFilter(type, "", EVERYTHING, EVERYTHING);
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

  /**
   * Whether the object stored as {@code json} under {@code key} matches; parses it only for
   * selectors.
   */
  public boolean matches(ObjectKey key, byte[] json) {
    if (json == null) {
      return false;
    }
    if (!namespace.isEmpty() && !namespace.equals(key.namespace())) {
      return false;
    }
    if (selectsAll(labels) && selectsAll(fields)) {
      return true;
    }
    return matches(JsonBytes.parse(json));
  }

  boolean matches(View.Stored stored) {
    return matches(stored.key(), stored.json());
  }

  private static boolean selectsAll(Predicate<JsonNode> selector) {
    return selector == EVERYTHING
        || selector instanceof LabelSelector labels && labels.isEverything()
        || selector instanceof FieldSelector fields && fields.isEverything();
  }
}
