package io.kedge.edge.api.view;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Objects as the VIEW keeps them: their served JSON, serialized once. A tree costs about ten times
 * its JSON in heap (an entry, a node and a string per field), so the VIEW and its watch history
 * keep bytes, readers parse what they need, and LISTs and watches copy the bytes as they are.
 */
final class JsonBytes {
  private JsonBytes() {}

  static byte[] of(ObjectNode object) {
    try {
      return EventCodec.json().writeValueAsBytes(object);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("object cannot be serialized: " + e.getMessage(), e);
    }
  }

  /** A new tree of {@code json}: the caller may modify it. */
  static ObjectNode parse(byte[] json) {
    try {
      return (ObjectNode) EventCodec.json().readTree(json);
    } catch (IOException e) {
      // the bytes were written by of(): they always parse
      throw new UncheckedIOException("a stored object does not parse: " + e.getMessage(), e);
    }
  }
}
