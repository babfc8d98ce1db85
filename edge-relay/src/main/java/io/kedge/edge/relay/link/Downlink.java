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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
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
 * overlaps logging this one. Keys and values stay in the fetch response ({@link
 * NodeTopicConsumer}): the log takes them as they came.
 *
 * <p>The link is up while the consumer receives bytes from Kafka ({@link ConsumerTraffic}); only a
 * silent link is asked for the end offset ({@link LinkWatch} judges, on its own clock).
 *
 * <p>Each fetch asks for as many bytes as the link carries in a fraction of the request timeout
 * ({@link FetchSize}, applied by {@link NodeTopicConsumer}): on a slow link a fixed 1 MiB fetch
 * would never arrive in time, and on a fast one larger fetches catch up a backlog faster.
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
  private final NodeTopicConsumer consumer;
  private final DownlinkLog log;
  private final UplinkLog uplink;
  private final Thread thread;
  private final LogAppender appender;
  private final LinkWatch watch;
  private final AtomicLong lastOffset = new AtomicLong(-1);
  private volatile long nextOffset = -1;
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
    this.consumer = new NodeTopicConsumer(node, topic, consumerConfig);
    this.log = log;
    this.uplink = uplink;
    this.resync = new DownlinkResync(node, codec);
    this.watch =
        new LinkWatch(
            node, System::nanoTime, () -> "log offset " + lastOffset.get() + ", lag " + lag());
    this.thread = new Thread(this::run, "kedge-downlink-" + node);
    thread.setDaemon(true);
    this.appender = new LogAppender("kedge-downlink-log-" + node, this::logRecord, this::logged);
  }

  /** Bytes each fetch asks for now. */
  public int fetchBytes() {
    return consumer.fetchBytes();
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
    long end = consumer.endOffset();
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
    consumer.assign();
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
          consumer.seek(next);
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
        double received = consumer.bytesReceived();
        watch.received(received, resync.underWay());
        if (watch.checkDue()) {
          if (watch.silent()) {
            probe();
          }
          reportResync();
        }
        String wanted = resync.takeWanted();
        if (wanted != null) {
          requestResync(wanted, consumer.fetchEndOffset(PROBE));
        }
        // received was read at the top of this pass; a probe since adds its few bytes
        ConsumerRecords<ByteBuffer, ByteBuffer> records = consumer.poll(POLL, received);
        nextOffset = consumer.position();
        if (!records.isEmpty() && !appender.submit(records)) {
          break;
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
    log.wakeReaders();
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
    long beginning = consumer.beginningOffset(PROBE);
    long end = consumer.fetchEndOffset(PROBE);
    if (!hasLog) {
      requestResync("the log is new", end);
    } else if (next < beginning) {
      requestResync("offsets " + next + ".." + (beginning - 1) + " were deleted by retention", end);
    } else {
      consumer.seek(next);
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
    consumer.seek(end);
    transition(
        LinkState.RESYNCING,
        reason + "; asked for snapshot " + request.requestId() + ", consuming from offset " + end);
  }

  /** Asks Kafka for the end offset; throws when it does not answer in time. */
  private void probe() {
    consumer.fetchEndOffset(PROBE);
    watch.answered(resync.underWay());
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
        if (consumer.topicExists(PROBE)) {
          if (said) {
            LOG.info("node {}: topic {} exists now", node, consumer.topic());
          }
          return;
        }
        if (!said) {
          LOG.warn(
              "node {}: its topic {} does not exist yet. The cloud creates it once Node {} exists"
                  + " (a new node asks for it: edge.register-node); reads are served from the log"
                  + " meanwhile. Checking every {} s.",
              node,
              consumer.topic(),
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
