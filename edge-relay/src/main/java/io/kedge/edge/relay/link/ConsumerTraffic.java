package io.kedge.edge.relay.link;

import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * What a consumer has read from Kafka, from its own metrics. While {@code incoming-byte-total}
 * grows the link is up, however slowly data crosses it, with no request of ours to wait behind the
 * fetch responses. The bytes per record its records took tell how many bytes a backlog of records
 * is.
 */
final class ConsumerTraffic {
  private static final String CLIENT = "consumer-metrics";
  private static final String FETCHES = "consumer-fetch-manager-metrics";
  private final Consumer<?, ?> consumer;
  private Metric incomingBytes;
  private Metric consumedBytes;
  private Metric consumedRecords;

  ConsumerTraffic(Consumer<?, ?> consumer) {
    this.consumer = consumer;
  }

  /** Bytes received so far, or -1 when the consumer does not report them. */
  double bytesReceived() {
    if (incomingBytes == null) {
      incomingBytes = find(CLIENT, "incoming-byte-total");
    }
    return value(incomingBytes);
  }

  /** Bytes per record of the records consumed so far, or -1 before the first. */
  double bytesPerRecord() {
    if (consumedRecords == null) {
      consumedBytes = find(FETCHES, "bytes-consumed-total");
      consumedRecords = find(FETCHES, "records-consumed-total");
    }
    double records = value(consumedRecords);
    double bytes = value(consumedBytes);
    return records > 0 && bytes >= 0 ? bytes / records : -1;
  }

  /** The consumer-wide metric (no topic tag), or null while the consumer does not have it. */
  private Metric find(String group, String name) {
    for (Map.Entry<MetricName, ? extends Metric> metric : consumer.metrics().entrySet()) {
      MetricName key = metric.getKey();
      if (key.name().equals(name) && key.group().equals(group) && key.tags().size() == 1) {
        return metric.getValue();
      }
    }
    return null;
  }

  private static double value(Metric metric) {
    return metric != null && metric.metricValue() instanceof Number n ? n.doubleValue() : -1;
  }
}
