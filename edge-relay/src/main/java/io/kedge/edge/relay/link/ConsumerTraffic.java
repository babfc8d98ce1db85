package io.kedge.edge.relay.link;

import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * The bytes a consumer has read from Kafka, from its own {@code incoming-byte-total} metric: while
 * they grow the link is up, however slowly data crosses it, with no request of ours to wait behind
 * the fetch responses.
 */
final class ConsumerTraffic {
  private final Consumer<?, ?> consumer;
  private Metric incomingBytes;

  ConsumerTraffic(Consumer<?, ?> consumer) {
    this.consumer = consumer;
  }

  /** Bytes received so far, or -1 when the consumer does not report them. */
  double bytesReceived() {
    if (incomingBytes == null) {
      for (Map.Entry<MetricName, ? extends Metric> metric : consumer.metrics().entrySet()) {
        MetricName name = metric.getKey();
        if (name.name().equals("incoming-byte-total") && name.group().equals("consumer-metrics")) {
          incomingBytes = metric.getValue();
          break;
        }
      }
      if (incomingBytes == null) {
        return -1;
      }
    }
    return incomingBytes.metricValue() instanceof Number bytes ? bytes.doubleValue() : -1;
  }
}
