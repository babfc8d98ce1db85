package io.kedge.bench.jmh;

import io.kedge.edge.relay.log.DownlinkLog;
import io.kedge.edge.relay.log.RawEntry;
import io.kedge.edge.relay.log.RawReader;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.RollCycles;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The edge LOG (Chronicle Queue): appending a Kafka record with its coordinates, and reading
 * entries back in order, as the VIEW does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LogBenchmark {
  private static final int READ_BATCH = 1_000;

  private Path dir;
  private DownlinkLog log;
  private RecordHeaders headers;
  private byte[] value;
  private long offset;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("kedge-jmh-log");
    EventCodec codec = new EventCodec();
    log = DownlinkLog.open(dir, RollCycles.FAST_DAILY, codec);
    headers = new RecordHeaders();
    value = codec.encode(KedgeEvent.of(URI.create("/bench"), "k", Samples.upsert(1)), headers);
    for (int i = 0; i < READ_BATCH; i++) {
      log.appendEvent(0, offset++, "k", headers, value);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    log.close();
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Benchmark
  public long append() {
    return log.appendEvent(0, offset++, "k", headers, value);
  }

  /** Reads the first 1,000 entries: the result is per batch, divide by 1,000 per entry. */
  @Benchmark
  public long read1000() {
    long bytes = 0;
    try (RawReader reader = log.readRawAfter(-1)) {
      for (int i = 0; i < READ_BATCH; i++) {
        RawEntry entry = reader.next();
        bytes += entry.offset();
      }
    }
    return bytes;
  }
}
