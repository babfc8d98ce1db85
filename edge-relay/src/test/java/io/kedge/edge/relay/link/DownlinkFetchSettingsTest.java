package io.kedge.edge.relay.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kedge.edge.relay.log.DownlinkLog;
import io.kedge.edge.relay.uplink.UplinkLog;
import io.kedge.schemas.EventCodec;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import net.openhft.chronicle.queue.RollCycles;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fetch size a downlink starts with, from its consumer configuration (no broker needed). */
class DownlinkFetchSettingsTest {
  private final EventCodec codec = new EventCodec();

  private int fetchBytes(Path dir, Map<String, Object> settings) {
    Map<String, Object> config = new HashMap<>(settings);
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
    try (DownlinkLog log = DownlinkLog.open(dir.resolve("log"), RollCycles.FAST_DAILY, codec);
        UplinkLog uplink = UplinkLog.open(dir.resolve("up"), RollCycles.FAST_DAILY, codec);
        Downlink downlink = new Downlink("n1", "kedge.node.n1", config, log, uplink, codec)) {
      return downlink.fetchBytes();
    }
  }

  @Test
  void fetchesStartAtTheLargestSizeAndFollowTheLink(@TempDir Path dir) {
    assertThat(fetchBytes(dir, Map.of())).isEqualTo(Downlink.FIRST_FETCH_BYTES);
  }

  @Test
  void aConfiguredFetchSizeIsKept(@TempDir Path dir) {
    assertThat(fetchBytes(dir, Map.of(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "65536")))
        .isEqualTo(65536);
  }

  @Test
  void aFetchSizeThatIsNoNumberIsRefusedNamingTheKey(@TempDir Path dir) {
    assertThatThrownBy(
            () -> fetchBytes(dir, Map.of(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "4MB")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("max.partition.fetch.bytes")
        .hasMessageContaining("4MB");
    assertThatThrownBy(
            () -> fetchBytes(dir, Map.of(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10s")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("request.timeout.ms")
        .hasMessageContaining("10s");
  }
}
