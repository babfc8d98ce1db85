package io.kedge.cloud.router;

import io.kedge.schemas.EventType;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Passes resync and write requests from the upstream topic, unchanged, to the router's requests
 * topic, which is partitioned like the resources topic so the router and the applier can answer
 * from the same stores. Validation happens there, and what cannot be read is dead-lettered.
 */
final class UpstreamRequestFilter implements Processor<String, byte[], String, byte[]> {
  private ProcessorContext<String, byte[]> context;

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (is(record.headers(), EventType.RESYNC_REQUEST)
        || is(record.headers(), EventType.WRITE_REQUEST)) {
      context.forward(record);
    }
  }

  /** True when the record's {@code ce_type} is {@code type} in any major version. */
  static boolean is(Headers headers, EventType type) {
    Header header = headers.lastHeader("ce_type");
    return header != null
        && new String(header.value(), StandardCharsets.UTF_8).startsWith(type.baseName() + ".v");
  }
}
