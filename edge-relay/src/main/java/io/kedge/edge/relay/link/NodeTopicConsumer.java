package io.kedge.edge.relay.link;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer of a node's topic (its one partition) and the size of its fetches. Each fetch asks
 * for as many bytes as the link carries in a fraction of the request timeout ({@link FetchSize}),
 * unless the configuration pins {@code max.partition.fetch.bytes}; Kafka fixes the size for a
 * consumer's life, so a new size means a new consumer at the old one's position. Keys and values
 * stay in the fetch response ({@code ByteBufferDeserializer}): the log takes them as they came.
 *
 * <p>Used by the downlink thread alone, but for {@link #wakeup()}.
 */
final class NodeTopicConsumer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeTopicConsumer.class);

  private final String node;
  private final TopicPartition partition;
  private final Map<String, Object> consumerConfig;
  private final FetchSize fetchSize; // null: pinned by the configuration
  private final int pinnedFetchBytes;
  private final Duration requestTimeout;
  private volatile Consumer<ByteBuffer, ByteBuffer> consumer;
  private ConsumerTraffic link;
  private final AtomicLong endOffset = new AtomicLong(-1);

  NodeTopicConsumer(String node, String topic, Map<String, Object> consumerConfig) {
    this.node = node;
    this.partition = new TopicPartition(topic, 0);
    this.consumerConfig = Map.copyOf(consumerConfig);
    Object pinned = consumerConfig.get(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG);
    this.pinnedFetchBytes =
        pinned == null
            ? 0
            : (Integer)
                ConfigDef.parseType(
                    ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, pinned, ConfigDef.Type.INT);
    this.requestTimeout = requestTimeout(consumerConfig);
    this.fetchSize =
        pinned == null ? new FetchSize(Downlink.FIRST_FETCH_BYTES, requestTimeout) : null;
    this.consumer = newConsumer(fetchBytes());
    this.link = new ConsumerTraffic(consumer);
  }

  private Consumer<ByteBuffer, ByteBuffer> newConsumer(int fetchBytes) {
    Map<String, Object> config = new HashMap<>(consumerConfig);
    config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, fetchBytes);
    config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Downlink.MAX_POLL_RECORDS);
    return new KafkaConsumer<>(config, new ByteBufferDeserializer(), new ByteBufferDeserializer());
  }

  private static Duration requestTimeout(Map<String, Object> config) {
    Object millis = config.get(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG);
    return millis == null
        ? Duration.ofSeconds(30) // Kafka's default
        : Duration.ofMillis(
            (Integer)
                ConfigDef.parseType(
                    ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, millis, ConfigDef.Type.INT));
  }

  String topic() {
    return partition.topic();
  }

  /** Bytes each fetch asks for now. */
  int fetchBytes() {
    return fetchSize == null ? pinnedFetchBytes : fetchSize.bytes();
  }

  /** Whether the topic exists; asking does not make the client log an unknown topic. */
  boolean topicExists(Duration timeout) {
    List<PartitionInfo> partitions = consumer.partitionsFor(partition.topic(), timeout);
    return partitions != null && !partitions.isEmpty();
  }

  void assign() {
    consumer.assign(List.of(partition));
  }

  long beginningOffset(Duration timeout) {
    return consumer.beginningOffsets(List.of(partition), timeout).get(partition);
  }

  /**
   * Asks Kafka for the end offset (kept for {@link #endOffset()}); throws when it does not answer.
   */
  long fetchEndOffset(Duration timeout) {
    long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
    endOffset.set(end);
    return end;
  }

  /** The end offset as last learned ({@code -1}: not yet); any thread. */
  long endOffset() {
    return endOffset.get();
  }

  void seek(long offset) {
    consumer.seek(partition, offset);
  }

  long position() {
    return consumer.position(partition);
  }

  /** Bytes received from Kafka so far (the link is up while this grows). */
  double bytesReceived() {
    return link.bytesReceived();
  }

  /**
   * Polls, then measures the link on that poll and resizes the fetches when they should change
   * ({@code receivedBefore}: {@link #bytesReceived()} read before, for the bytes this poll took). A
   * new consumer resumes at the old one's position, so whatever the old one had fetched and not
   * returned is fetched again and nothing is skipped; a fetch still crossing the link is dropped.
   */
  ConsumerRecords<ByteBuffer, ByteBuffer> poll(Duration timeout, double receivedBefore) {
    double backlogBytes = fetchSize == null ? 0 : backlogBytes();
    long polledAt = System.nanoTime();
    ConsumerRecords<ByteBuffer, ByteBuffer> records = consumer.poll(timeout);
    if (fetchSize != null) {
      resizeFetches(
          System.nanoTime() - polledAt,
          link.bytesReceived() - receivedBefore,
          backlogBytes,
          records.count());
    }
    if (!records.isEmpty()) {
      noteEndOffset();
    }
    return records;
  }

  /** Bytes the broker holds for this node beyond what was fetched, as far as the consumer knows. */
  private double backlogBytes() {
    OptionalLong known = consumer.currentLag(partition);
    long end = endOffset.get();
    long records =
        known.isPresent() ? known.getAsLong() : end < 0 ? 0 : end - consumer.position(partition);
    if (records <= 0) {
      return 0;
    }
    double perRecord = link.bytesPerRecord();
    return perRecord < 0 ? Double.MAX_VALUE : records * perRecord; // none yet: assume a full fetch
  }

  private void resizeFetches(long pollNanos, double received, double backlogBytes, int polled) {
    int before = fetchSize.bytes();
    int after = fetchSize.observe(pollNanos, received, backlogBytes, polled);
    if (after == before) {
      return;
    }
    long next = consumer.position(partition);
    LOG.info(
        "node {}: fetches of {} -> {}: the link delivers {}/s and a fetch must arrive within {} ms"
            + " (request.timeout.ms)",
        node,
        FetchSize.describe(before),
        FetchSize.describe(after),
        FetchSize.describe(fetchSize.measuredRate()),
        requestTimeout.toMillis());
    consumer.close(CloseOptions.timeout(Duration.ZERO));
    consumer = newConsumer(after);
    link = new ConsumerTraffic(consumer);
    consumer.assign(List.of(partition));
    consumer.seek(partition, next);
  }

  /** The end offset as of the last fetch response, which the consumer keeps: no request. */
  private void noteEndOffset() {
    OptionalLong behind = consumer.currentLag(partition);
    if (behind.isPresent()) {
      endOffset.set(consumer.position(partition) + behind.getAsLong());
    }
  }

  /** Ends a blocking call on the downlink thread; any thread. */
  void wakeup() {
    consumer.wakeup();
  }

  @Override
  public void close() {
    consumer.close();
  }
}
