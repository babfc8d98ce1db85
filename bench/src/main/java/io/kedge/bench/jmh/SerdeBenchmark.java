package io.kedge.bench.jmh;

import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The event codec on a resource upsert of a 1 KiB pod: encoding (the router's output), full
 * decoding (the VIEW's input), and the relay's validation without binding (EventCodec.check).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SerdeBenchmark {
  private final EventCodec codec = new EventCodec();
  private KedgeEvent event;
  private RecordHeaders headers;
  private byte[] value;

  @Setup
  public void setUp() {
    event = KedgeEvent.of(URI.create("/bench"), "default/web-1", Samples.upsert(1));
    headers = new RecordHeaders();
    value = codec.encode(event, headers);
  }

  @Benchmark
  public byte[] encode() {
    return codec.encode(event, new RecordHeaders());
  }

  @Benchmark
  public KedgeEvent decode() {
    return codec.decode(headers, value);
  }
}
