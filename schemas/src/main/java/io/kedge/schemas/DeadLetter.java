package io.kedge.schemas;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Headers that a dead-letter record carries beside the original key, value and headers: where the
 * record came from and why it could not be processed. Nothing is dropped silently.
 */
public final class DeadLetter {
  public static final String SOURCE_TOPIC = "kedge_dlq_topic";
  public static final String SOURCE_PARTITION = "kedge_dlq_partition";
  public static final String SOURCE_OFFSET = "kedge_dlq_offset";
  public static final String REASON = "kedge_dlq_reason";
  public static final String COMPONENT = "kedge_dlq_component";

  private DeadLetter() {}

  /** Adds the dead-letter headers to {@code headers} (usually a copy of the original's). */
  public static Headers annotate(
      Headers headers, String topic, int partition, long offset, String component, String reason) {
    headers.add(SOURCE_TOPIC, utf8(topic));
    headers.add(SOURCE_PARTITION, utf8(Integer.toString(partition)));
    headers.add(SOURCE_OFFSET, utf8(Long.toString(offset)));
    headers.add(COMPONENT, utf8(component));
    headers.add(REASON, utf8(reason));
    return headers;
  }

  /** The last value of header {@code key}, or an empty string. */
  public static String header(Headers headers, String key) {
    Header header = headers.lastHeader(key);
    return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
