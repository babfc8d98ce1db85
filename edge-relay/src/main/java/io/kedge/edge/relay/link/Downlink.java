package io.kedge.edge.relay.link;

import io.kedge.edge.relay.log.DiskReserve;
import io.kedge.edge.relay.log.DownlinkLog;
import io.kedge.edge.relay.uplink.UplinkLog;
import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.ResyncEnd;
import io.kedge.schemas.ResyncRequest;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the node topic into the LOG: a {@code read_committed} consumer assigned to the node's one
 * partition, seeking to the last logged offset + 1 on start, skipping any offset already logged.
 * At-least-once from Kafka plus that dedupe gives exactly-once into the log. When the log is new or
 * the next offset has been deleted by retention, it asks the cloud for a resync and consumes from
 * the end offset seen when asking.
 *
 * <p>Two threads: the downlink thread owns the consumer (poll, seek, offsets, link state) and hands
 * each polled batch to a {@link LogAppender}, the log's one appender, so fetching the next batch
 * overlaps logging this one. Keys and values stay in the fetch response ({@link #consumer}): the
 * log takes them as they came.
 *
 * <p>The link is up while the consumer receives bytes from Kafka ({@link ConsumerTraffic}); only a
 * silent link is asked for the end offset ({@link LinkWatch} judges, on its own clock).
 *
 * <p>Each fetch asks for as many bytes as the link carries in a fraction of the request timeout
 * ({@link FetchSize}): on a slow link a fixed 1 MiB fetch would never arrive in time, and on a fast
 * one larger fetches catch up a backlog faster.
 */
public final class Downlink implements AutoCloseable {
  private static final Duration TOPIC_CHECK = Duration.ofSeconds(5);
  private static final Logger LOG = LoggerFactory.getLogger(Downlink.class);

  /** Bytes the first fetches ask for: as much as a fast link allows, less once measured slower. */
  public static final int FIRST_FETCH_BYTES = FetchSize.MAX;

  /**
   * Records per poll unless configured: a 4 MiB fetch holds ~3,700 records of 1 KiB, and each poll
   * is one hand-over to the appender thread, a wake-up both threads wait on.
   */
  public static final int MAX_POLL_RECORDS = 2_000;

  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration PROBE = LinkWatch.PROBE;

  private final String node;
  private final TopicPartition partition;
  private final Map<String, Object> consumerConfig;
  private final FetchSize fetchSize; // null: pinned by the configuration
  private final int pinnedFetchBytes;
  private final Duration requestTimeout;
  private volatile Consumer<ByteBuffer, ByteBuffer> consumer;
  private final DownlinkLog log;
  private final UplinkLog uplink;
  private final Thread thread;
  private final LogAppender appender;
  private final LinkWatch watch;
  private final AtomicLong lastOffset = new AtomicLong(-1);
  private volatile long nextOffset = -1;
  private final AtomicLong endOffset = new AtomicLong(-1);
  private ConsumerTraffic link;
  private volatile boolean running = true;
  private final DownlinkResync resync;
  private volatile boolean diskFull;
  private volatile LongConsumer appendDelays = millis -> {};

  /**
   * Reads {@code topic} with consumers built from {@code consumerConfig} (bootstrap, security,
   * isolation, timeouts). Unless that configuration sets {@code max.partition.fetch.bytes}, the
   * fetch size follows the link ({@link FetchSize}).
   */
  public Downlink(
      String node,
      String topic,
      Map<String, Object> consumerConfig,
      DownlinkLog log,
      UplinkLog uplink,
      EventCodec codec) {
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
    this.fetchSize = pinned == null ? new FetchSize(FIRST_FETCH_BYTES, requestTimeout) : null;
    this.consumer = newConsumer(fetchBytes());
    this.log = log;
    this.uplink = uplink;
    this.resync = new DownlinkResync(node, codec);
    this.watch =
        new LinkWatch(
            node, System::nanoTime, () -> "log offset " + lastOffset.get() + ", lag " + lag());
    this.link = new ConsumerTraffic(consumer);
    this.thread = new Thread(this::run, "kedge-downlink-" + node);
    thread.setDaemon(true);
    this.appender = new LogAppender("kedge-downlink-log-" + node, this::logRecord, this::logged);
  }

  /**
   * A consumer asking for {@code fetchBytes} per fetch. Keys and values stay in the fetch response
   * ({@code ByteBufferDeserializer}), so the log takes them as they came.
   */
  private Consumer<ByteBuffer, ByteBuffer> newConsumer(int fetchBytes) {
    Map<String, Object> config = new HashMap<>(consumerConfig);
    config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, fetchBytes);
    config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS);
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

  /** Bytes each fetch asks for now. */
  public int fetchBytes() {
    return fetchSize == null ? pinnedFetchBytes : fetchSize.bytes();
  }

  public Downlink start() {
    appender.start();
    thread.start();
    return this;
  }

  public LinkState state() {
    return watch.state();
  }

  /** Offset of the last record in the log ({@code -1}: none yet). */
  public long lastOffset() {
    return lastOffset.get();
  }

  /**
   * The next node-topic offset this downlink reads: past the last record it took and the
   * transaction markers after it ({@code -1}: not polled yet).
   */
  public long nextOffset() {
    return nextOffset;
  }

  /**
   * Records in the node topic not yet in the log, as of the last probe; transaction markers, which
   * take offsets but hold no record, do not count once read past.
   */
  public long lag() {
    long end = endOffset.get();
    long next = Math.max(nextOffset, lastOffset.get() + 1);
    return end < 0 ? 0 : Math.max(0, end - next);
  }

  /**
   * Receives, for each record logged, the milliseconds from its Kafka timestamp (the broker's
   * append time where the topic uses LogAppendTime) to its log append. Called on the log's appender
   * thread; must not block.
   */
  public Downlink onAppendDelay(LongConsumer millis) {
    this.appendDelays = millis;
    return this;
  }

  /** How many times the link was found down since start. */
  public long disconnects() {
    return watch.disconnects();
  }

  /** True while the downlink is paused because the disk reserve is reached. */
  public boolean diskFull() {
    return diskFull;
  }

  private void transition(LinkState next, String why) {
    watch.transition(next, why);
  }

  private void run() {
    awaitTopic();
    consumer.assign(List.of(partition));
    Optional<DownlinkLog.Position> last = log.lastPosition();
    last.ifPresent(p -> lastOffset.set(p.offset()));
    boolean positioned = false;
    long refusedBackoffMs = 200;
    long refusedAt = -2;
    while (running) {
      try {
        RuntimeException refused = appender.failure();
        if (refused != null) {
          // nothing after the refused record was logged: read it again once the log takes it
          appender.rewind();
          long next = lastOffset.get() + 1;
          consumer.seek(partition, next);
          diskFull = refused instanceof DiskReserve.DiskFullException;
          refusedBackoffMs = next == refusedAt ? Math.min(refusedBackoffMs * 2, 10_000) : 200;
          if (refusedAt != next || refusedBackoffMs >= 10_000) {
            logPause(next, refused);
          }
          refusedAt = next;
          sleep(refusedBackoffMs);
          continue;
        }
        if (!positioned) {
          position(last.isPresent());
          positioned = true;
        }
        double received = link.bytesReceived();
        watch.received(received, resync.underWay());
        if (watch.checkDue()) {
          if (watch.silent()) {
            probe();
          }
          reportResync();
        }
        String wanted = resync.takeWanted();
        if (wanted != null) {
          requestResync(wanted, consumer.endOffsets(List.of(partition), PROBE).get(partition));
        }
        double backlogBytes = fetchSize == null ? 0 : backlogBytes();
        long polledAt = System.nanoTime();
        ConsumerRecords<ByteBuffer, ByteBuffer> records = consumer.poll(POLL);
        if (fetchSize != null) {
          // received was read at the top of this pass; a probe since adds its few bytes
          resizeFetches(
              System.nanoTime() - polledAt,
              link.bytesReceived() - received,
              backlogBytes,
              records.count());
        }
        nextOffset = consumer.position(partition);
        if (!records.isEmpty()) {
          noteEndOffset();
          if (!appender.submit(records)) {
            break;
          }
        }
        watch.passed();
      } catch (InterruptedException e) {
        break;
      } catch (TimeoutException e) {
        sleep(watch.failed("Kafka did not answer within " + PROBE.toSeconds() + " s"));
      } catch (KafkaException e) {
        if (!running) {
          break;
        }
        sleep(watch.failed(e.toString()));
      }
    }
    consumer.close();
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

  /**
   * Measures the link on each poll it limited ({@link FetchSize}) and, when the fetch size should
   * change, replaces the consumer: Kafka fixes the size for a consumer's life. The new one resumes
   * at the old one's position, so whatever the old one had fetched and not returned is fetched
   * again and nothing is skipped; a fetch still crossing the link is dropped.
   */
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

  private void logPause(long next, RuntimeException refused) {
    if (diskFull) {
      LOG.error("node {}: downlink paused at offset {}: {}", node, next, refused.getMessage());
    } else {
      LOG.error(
          "node {}: downlink paused at offset {}: the log append failed", node, next, refused);
    }
  }

  /** After each logged batch, on the appender thread. */
  private void logged() {
    log.sync();
    if (diskFull) {
      diskFull = false;
      LOG.info(
          "node {}: downlink resumed at offset {}: disk space is back", node, lastOffset.get() + 1);
    }
  }

  /** Seeks to the last logged offset + 1, or resyncs when that is impossible. */
  private void position(boolean hasLog) {
    long next = lastOffset.get() + 1;
    long beginning = consumer.beginningOffsets(List.of(partition), PROBE).get(partition);
    long end = consumer.endOffsets(List.of(partition), PROBE).get(partition);
    endOffset.set(end);
    if (!hasLog) {
      requestResync("the log is new", end);
    } else if (next < beginning) {
      requestResync("offsets " + next + ".." + (beginning - 1) + " were deleted by retention", end);
    } else {
      consumer.seek(partition, next);
      transition(LinkState.CONNECTED, "resuming at offset " + next);
    }
  }

  /**
   * Asks the cloud for a full resync as soon as the link allows, e.g. because the log lost entries
   * on disk or does not continue the VIEW's snapshot. Callable from any thread.
   */
  public void resyncSoon(String reason) {
    resync.want(reason);
  }

  private void requestResync(String reason, long end) {
    ResyncRequest request = resync.begin(reason);
    uplink.append(request, "");
    consumer.seek(partition, end);
    transition(
        LinkState.RESYNCING,
        reason + "; asked for snapshot " + request.requestId() + ", consuming from offset " + end);
  }

  /** Asks Kafka for the end offset; throws when it does not answer in time. */
  private void probe() {
    Map<TopicPartition, Long> ends = consumer.endOffsets(List.of(partition), PROBE);
    endOffset.set(ends.get(partition));
    watch.answered(resync.underWay());
  }

  /** The end offset as of the last fetch response, which the consumer keeps: no request. */
  private void noteEndOffset() {
    OptionalLong behind = consumer.currentLag(partition);
    if (behind.isPresent()) {
      endOffset.set(consumer.position(partition) + behind.getAsLong());
    }
  }

  private void reportResync() {
    if (resync.underWay() && lag() > 10_000) {
      LOG.info("node {} resync in progress: {} records to go", node, lag());
    }
  }

  private void logRecord(ConsumerRecord<ByteBuffer, ByteBuffer> record) {
    if (record.offset() <= lastOffset.get()) {
      return; // already logged: Kafka redelivered after a reconnect
    }
    // logged as it came; the log's readers validate it as they decode (see DownlinkLog)
    log.appendEvent(
        record.partition(), record.offset(), record.key(), record.headers(), record.value());
    lastOffset.set(record.offset());
    appendDelays.accept(System.currentTimeMillis() - record.timestamp());
    ResyncEnd end = resync.completedBy(record);
    if (end != null) {
      transition(
          LinkState.CONNECTED,
          "snapshot "
              + end.requestId()
              + " received ("
              + (end.partCount() == 1 ? "" : end.partCount() + " parts, last ")
              + end.objectCount()
              + " objects)");
    }
  }

  /**
   * Waits until the node topic exists: the cloud creates it once the node's Node exists, which a
   * new node's registration brings about. Says so once, then checks quietly (asking for the topic's
   * partitions does not make the client log an unknown topic, as fetching from it would, ten times
   * a second).
   */
  private void awaitTopic() {
    boolean said = false;
    while (running) {
      try {
        List<org.apache.kafka.common.PartitionInfo> partitions =
            consumer.partitionsFor(partition.topic(), PROBE);
        if (partitions != null && !partitions.isEmpty()) {
          if (said) {
            LOG.info("node {}: topic {} exists now", node, partition.topic());
          }
          return;
        }
        if (!said) {
          LOG.warn(
              "node {}: its topic {} does not exist yet. The cloud creates it once Node {} exists"
                  + " (a new node asks for it: edge.register-node); reads are served from the log"
                  + " meanwhile. Checking every {} s.",
              node,
              partition.topic(),
              node,
              TOPIC_CHECK.toSeconds());
          said = true;
        }
      } catch (TimeoutException e) {
        transition(
            LinkState.DISCONNECTED, "Kafka did not answer within " + PROBE.toSeconds() + " s");
      } catch (org.apache.kafka.common.errors.WakeupException e) {
        return;
      } catch (KafkaException e) {
        transition(LinkState.DISCONNECTED, e.toString());
      }
      sleep(TOPIC_CHECK.toMillis());
    }
  }

  private void sleep(long millis) {
    if (!DaemonThreads.sleep(millis)) {
      running = false;
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    DaemonThreads.join(thread, 10_000);
    appender.close();
  }
}
