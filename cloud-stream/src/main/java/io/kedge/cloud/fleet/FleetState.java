package io.kedge.cloud.fleet;

import io.kedge.cloud.router.NodeTrust;
import io.kedge.cloud.topics.WholeTopic;
import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.EventType;
import io.kedge.schemas.InvalidEventException;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.NodeHeartbeat;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet as the cloud sees it: each node's latest heartbeat (read from {@code kedge.upstream},
 * taken only from the node it names, and only if signed by it when nodes sign), when it was last
 * seen, and how far its log is behind its node topic's end. Every cloud instance reads every
 * partition, so each can answer for the whole fleet. A starting cloud reads back {@link
 * FleetSettings#lookback} of heartbeats.
 */
public final class FleetState implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FleetState.class);

  /** How often the node topics' end offsets are read. */
  static final Duration END_OFFSETS_EVERY = Duration.ofSeconds(5);

  private final KafkaConsumer<String, byte[]> consumer;
  private final Admin admin;
  private final KedgeTopics topics;
  private final NodeTrust trust;
  private final FleetSettings settings;
  private final Clock clock;
  private final RefusedHeartbeats refused;
  private final EventCodec codec = new EventCodec();
  private final Map<String, Tracked> nodes = new ConcurrentHashMap<>();
  private final List<Consumer<String>> newNodeListeners = new ArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean caughtUp;

  /** What the cloud knows of one node. */
  private static final class Tracked {
    volatile NodeHeartbeat last;
    volatile long lastSeenMs;
    volatile long endOffset = -1;
    volatile long behindSinceMs = -1;
  }

  public FleetState(
      KafkaConsumer<String, byte[]> consumer,
      Admin admin,
      KedgeTopics topics,
      NodeTrust trust,
      FleetSettings settings,
      Clock clock) {
    this.consumer = consumer;
    this.admin = admin;
    this.topics = topics;
    this.trust = trust;
    this.settings = settings;
    this.clock = clock;
    this.refused = new RefusedHeartbeats(clock::millis, Duration.ofMinutes(1));
    this.thread = new Thread(this::run, "kedge-fleet");
    thread.setDaemon(true);
  }

  public FleetState start() {
    thread.start();
    return this;
  }

  public FleetSettings settings() {
    return settings;
  }

  /** Called with the name of each node seen for the first time (on the reading thread). */
  public synchronized void onNewNode(Consumer<String> listener) {
    newNodeListeners.add(listener);
  }

  /** True once the heartbeats of the lookback have been read. */
  public boolean caughtUp() {
    return caughtUp;
  }

  /** Every node that sent a heartbeat, by name. */
  public List<NodeHealth> nodes() {
    return nodes.keySet().stream()
        .map(this::node)
        .flatMap(Optional::stream)
        .sorted(Comparator.comparing(NodeHealth::node))
        .toList();
  }

  /** Every node's health as JSON: {@code {"nodes":[...]}}, what {@code kedge nodes} reads. */
  public String json() {
    try {
      return EventCodec.json().writeValueAsString(Map.of("nodes", nodes()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public Optional<NodeHealth> node(String name) {
    Tracked t = nodes.get(name);
    if (t == null || t.last == null) {
      return Optional.empty();
    }
    return Optional.of(health(t));
  }

  private NodeHealth health(Tracked t) {
    long now = clock.millis();
    NodeHeartbeat beat = t.last;
    long lag = t.endOffset < 0 ? -1 : Math.max(0, t.endOffset - next(beat));
    boolean offline = now - t.lastSeenMs > settings.offlineAfter().toMillis();
    String link = offline ? NodeHealth.OFFLINE : beat.linkState();
    return new NodeHealth(
        beat.node(),
        link,
        t.lastSeenMs,
        (now - t.lastSeenMs) / 1000.0,
        lag,
        lag > 0 && t.behindSinceMs >= 0 ? (now - t.behindSinceMs) / 1000.0 : 0,
        beat.logOffset(),
        t.endOffset,
        beat.uplinkBacklog(),
        beat.diskFreeBytes(),
        beat.diskBudgetBytes(),
        beat.viewObjects(),
        beat.version(),
        beat.startedAtMs());
  }

  private void run() {
    long nextEnds = 0;
    try {
      List<TopicPartition> partitions = List.of();
      while (running && partitions.isEmpty()) {
        partitions = WholeTopic.assign(consumer, topics.upstream().name());
      }
      Map<TopicPartition, Long> ends = seekToLookback(partitions);
      while (running) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          take(record);
        }
        if (!caughtUp && reached(ends)) {
          caughtUp = true;
          LOG.info("fleet: {} nodes known from the last {}", nodes.size(), settings.lookback());
        }
        if (clock.millis() >= nextEnds) {
          readEndOffsets();
          nextEnds = clock.millis() + END_OFFSETS_EVERY.toMillis();
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (KafkaException e) {
      LOG.error("fleet state stopped: {}", e.toString(), e);
    } finally {
      consumer.close();
    }
  }

  /** Seeks each partition to the first record of the lookback; returns where it ends now. */
  private Map<TopicPartition, Long> seekToLookback(List<TopicPartition> partitions) {
    long from = clock.millis() - settings.lookback().toMillis();
    Map<TopicPartition, Long> times = new HashMap<>();
    partitions.forEach(p -> times.put(p, from));
    Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(times);
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
    for (TopicPartition p : partitions) {
      OffsetAndTimestamp at = offsets.get(p);
      consumer.seek(p, at == null ? ends.get(p) : at.offset());
    }
    return ends;
  }

  private boolean reached(Map<TopicPartition, Long> ends) {
    for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
      if (consumer.position(end.getKey()) < end.getValue()) {
        return false;
      }
    }
    return true;
  }

  private void take(ConsumerRecord<String, byte[]> record) {
    var type = record.headers().lastHeader("ce_type");
    if (type == null
        || !new String(type.value(), java.nio.charset.StandardCharsets.UTF_8)
            .startsWith(EventType.NODE_HEARTBEAT.baseName() + ".v")) {
      return; // not a heartbeat: not decoded (the upstream carries all of the nodes' traffic)
    }
    NodeHeartbeat beat;
    try {
      if (!(codec.decode(record.headers(), record.value()).data() instanceof NodeHeartbeat b)) {
        return;
      }
      beat = b;
    } catch (InvalidEventException e) {
      return; // the router dead-letters what cannot be read
    }
    String refusal = trust.refusal(record.key(), record.value(), record.headers(), beat.node());
    if (refusal != null) {
      String line =
          refused.refused(
              beat.node(),
              record.topic() + "-" + record.partition() + "@" + record.offset(),
              refusal);
      if (line != null) {
        LOG.warn(line);
      }
      return;
    }
    boolean[] fresh = new boolean[1];
    Tracked t =
        nodes.computeIfAbsent(
            beat.node(),
            n -> {
              fresh[0] = true;
              return new Tracked();
            });
    if (t.last != null && t.last.sentAtMs() > beat.sentAtMs()) {
      return; // an older one, stored while offline: the latest wins
    }
    t.last = beat;
    // seen when it was sent: heartbeats stored offline and forwarded later say when the node
    // last had its link, not when the cloud read them
    t.lastSeenMs = Math.max(t.lastSeenMs, Math.min(beat.sentAtMs(), record.timestamp()));
    updateBehind(t);
    if (fresh[0]) {
      List<Consumer<String>> listeners;
      synchronized (this) {
        listeners = List.copyOf(newNodeListeners);
      }
      listeners.forEach(l -> l.accept(beat.node()));
    }
  }

  private void readEndOffsets() {
    if (nodes.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    Map<TopicPartition, String> nodeOf = new HashMap<>();
    for (String node : nodes.keySet()) {
      TopicPartition partition = new TopicPartition(topics.node(node).name(), 0);
      request.put(partition, OffsetSpec.latest());
      nodeOf.put(partition, node);
    }
    try {
      admin
          .listOffsets(request)
          .all()
          .get(30, java.util.concurrent.TimeUnit.SECONDS)
          .forEach(
              (partition, info) -> {
                Tracked t = nodes.get(nodeOf.get(partition));
                if (t != null) {
                  t.endOffset = info.offset();
                  updateBehind(t);
                }
              });
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.debug("fleet: node topics' end offsets not read: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The next offset the node reads: past markers when it says so, else after its last record. */
  private static long next(NodeHeartbeat beat) {
    return Math.max(beat.nextOffset(), beat.logOffset() + 1);
  }

  /** Starts or ends the time a node has been behind its topic. */
  private void updateBehind(Tracked t) {
    NodeHeartbeat beat = t.last;
    if (beat == null || t.endOffset < 0) {
      return;
    }
    boolean behind = t.endOffset > next(beat);
    if (!behind) {
      t.behindSinceMs = -1;
    } else if (t.behindSinceMs < 0) {
      t.behindSinceMs = clock.millis();
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    DaemonThreads.join(thread, 10_000);
  }
}
