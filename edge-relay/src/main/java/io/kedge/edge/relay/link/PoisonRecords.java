package io.kedge.edge.relay.link;

import io.kedge.edge.relay.log.DownlinkLog;
import io.kedge.edge.relay.log.PositionFile;
import io.kedge.edge.relay.log.RawEntry;
import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.schemas.DeadLetter;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node-topic records that arrived invalid. The log keeps them (for inspection) and its readers skip
 * them; the first reader to meet one reports it here, and it is counted, logged and published to
 * the dead-letter topic with its coordinates. Later reports of the same entry (the other readers,
 * or a replay after a restart) are ignored: the last entry handled is kept in a small file.
 */
public final class PoisonRecords implements DownlinkLog.PoisonListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PoisonRecords.class);

  private final String node;
  private final String sourceTopic;
  private final PositionFile handled;
  private final Producer<String, byte[]> deadLetters;
  private final String deadLetterTopic;
  private final AtomicLong count = new AtomicLong();

  /** Sends off the readers' threads: a send may wait for topic metadata. */
  private final ExecutorService sender;

  private long lastHandled;

  /**
   * @param sourceTopic the node topic the records came from, named in each dead letter
   * @param handledFile where the index of the last entry handled is kept
   */
  public PoisonRecords(
      String node,
      String sourceTopic,
      Path handledFile,
      Producer<String, byte[]> deadLetters,
      String deadLetterTopic) {
    this.node = node;
    this.sourceTopic = sourceTopic;
    this.handled = new PositionFile(handledFile, "poison record");
    this.deadLetters = deadLetters;
    this.deadLetterTopic = deadLetterTopic;
    this.sender = DaemonThreads.pool("kedge-deadletter-" + node, 1);
    this.lastHandled = handled.read().orElse(-1);
  }

  /** Invalid records met since start. */
  public long count() {
    return count.get();
  }

  @Override
  public synchronized void poisoned(RawEntry entry, String reason) {
    if (entry.index() <= lastHandled) {
      return; // readers move forward: an entry at or before this one was handled
    }
    lastHandled = entry.index();
    handled.write(lastHandled);
    count.incrementAndGet();
    LOG.warn(
        "node {}: record {}-{}@{} is invalid, kept in the log at index {} (skipped) and sent to"
            + " {}: {}",
        node,
        sourceTopic,
        entry.partition(),
        entry.offset(),
        entry.index(),
        deadLetterTopic,
        reason);
    RecordHeaders headers = new RecordHeaders(entry.headers().toArray());
    DeadLetter.annotate(
        headers, sourceTopic, entry.partition(), entry.offset(), "relay-" + node, reason);
    ProducerRecord<String, byte[]> letter =
        new ProducerRecord<>(deadLetterTopic, null, entry.key(), entry.value(), headers);
    sender.execute(() -> send(entry, letter));
  }

  /** Best effort: the entry in the log is the durable record of it. */
  private void send(RawEntry entry, ProducerRecord<String, byte[]> letter) {
    deadLetters.send(
        letter,
        (metadata, error) -> {
          if (error != null) {
            LOG.warn(
                "node {}: poison {}-{}@{} could not be sent to {} ({}); it stays in the log",
                node,
                sourceTopic,
                entry.partition(),
                entry.offset(),
                deadLetterTopic,
                error.toString());
          }
        });
  }

  @Override
  public void close() {
    sender.shutdownNow();
  }
}
