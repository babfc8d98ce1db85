package io.kedge.kube.objects;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;

/** JSON objects written with single quotes, for readable test data. */
final class TestJson {
  private TestJson() {}

  static ObjectNode object(String singleQuoted) {
    try {
      return (ObjectNode) EventCodec.json().readTree(singleQuoted.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }
}
