package io.kedge.edge.relay.uplink;

import io.kedge.schemas.EventCodec;
import java.nio.file.Path;
import java.time.Clock;
import net.openhft.chronicle.queue.RollCycles;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** A forwarder that is never started: the cloud is away, so its queue only grows. */
public final class OfflineForwarder {
  private OfflineForwarder() {}

  /** The uplink queue in {@code dir}, its events stamped by {@code clock}. */
  public static UplinkLog queue(Path dir, Clock clock) {
    return UplinkLog.open(dir.resolve("uplink"), RollCycles.FAST_DAILY, new EventCodec(), clock);
  }

  public static UplinkForwarder of(UplinkLog log, Path dir, UplinkBounds bounds, Clock clock) {
    return new UplinkForwarder(
        "edge-1",
        log,
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()),
        "kedge.upstream",
        dir.resolve("uplink.position"),
        new EventCodec(),
        bounds,
        clock);
  }
}
