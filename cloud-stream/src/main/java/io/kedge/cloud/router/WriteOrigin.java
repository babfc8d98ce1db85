package io.kedge.cloud.router;

import io.kedge.schemas.DeadLetter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;

/**
 * Headers on a {@code kedge.resources} record written by the applier for an edge write: which
 * request it answers, for which node, with which code. The router sends that answer once it has
 * routed the record, when the record's offset has become the object's resourceVersion.
 */
record WriteOrigin(String requestId, String node, int code) {
  static final String REQUEST = "kedge_write_request";
  static final String NODE = "kedge_write_node";
  static final String CODE = "kedge_write_code";

  /**
   * The nodes that wrote an object, on a record {@code kedge repartition} writes back: they keep
   * holding it under the router that starts next.
   */
  static final String WRITERS = "kedge_writers";

  void addTo(Headers headers) {
    headers.add(REQUEST, requestId.getBytes(StandardCharsets.UTF_8));
    headers.add(NODE, node.getBytes(StandardCharsets.UTF_8));
    headers.add(CODE, Integer.toString(code).getBytes(StandardCharsets.UTF_8));
  }

  static void addWriters(Headers headers, java.util.Set<String> nodes) {
    headers.add(WRITERS, String.join(",", nodes).getBytes(StandardCharsets.UTF_8));
  }

  /** The writer nodes a repartitioned record names; empty for every other record. */
  static java.util.Set<String> writers(Headers headers) {
    String joined = DeadLetter.header(headers, WRITERS);
    return joined.isEmpty()
        ? java.util.Set.of()
        : new java.util.TreeSet<>(java.util.Arrays.asList(joined.split(",")));
  }

  /** The origin a record carries, or null for records from other sources. */
  static WriteOrigin of(Headers headers) {
    String request = DeadLetter.header(headers, REQUEST);
    if (request.isEmpty()) {
      return null;
    }
    String code = DeadLetter.header(headers, CODE);
    return new WriteOrigin(
        request, DeadLetter.header(headers, NODE), code.isEmpty() ? 200 : Integer.parseInt(code));
  }
}
