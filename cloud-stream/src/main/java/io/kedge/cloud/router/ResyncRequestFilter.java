package io.kedge.cloud.router;

import io.kedge.schemas.EventType;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Passes resync requests from the upstream topic, unchanged, to the router's resync topic, which is
 * partitioned like the resources topic so the router can answer from its own stores. Validation
 * happens in the router, which dead-letters what it cannot read.
 */
final class ResyncRequestFilter implements Processor<String, byte[], String, byte[]> {
  /** Any major version: the router dead-letters versions it cannot read. */
  private static final String TYPE_PREFIX = EventType.RESYNC_REQUEST.baseName() + ".v";

  private ProcessorContext<String, byte[]> context;

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, byte[]> record) {
    Header type = record.headers().lastHeader("ce_type");
    if (type != null && new String(type.value(), StandardCharsets.UTF_8).startsWith(TYPE_PREFIX)) {
      context.forward(record);
    }
  }
}
