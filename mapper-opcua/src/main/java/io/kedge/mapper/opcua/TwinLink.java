package io.kedge.mapper.opcua;

import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.runtime.mqtt.Eventbus;
import io.kedge.schemas.twin.TwinContract;
import io.kedge.schemas.twin.TwinContract.Reported;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mapper's side of the MQTT twin contract. Reports are buffered per device and sent {@link
 * #FLUSH_MILLIS} after the first of them as one {@code twin/update} per device holding the latest
 * value of each changed property, so thousands of items do not mean thousands of messages; nothing
 * wakes the mapper while nothing is queued. A broker outage keeps the latest values (and states)
 * until it is back, tried again every {@link #RETRY_MILLIS}. Deltas and {@code twin/get} results
 * are handed to the device's session.
 */
public final class TwinLink implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TwinLink.class);
  static final long FLUSH_MILLIS = 20;
  static final long RETRY_MILLIS = 500;
  static final int MAX_PROPERTIES_PER_MESSAGE = 32;

  /** Receives desired values for a device: from a delta, or from a twin/get result. */
  public interface DesiredValues {
    void desired(String deviceId, Map<String, String> values);
  }

  private final Eventbus eventbus;
  private final Clock clock;
  private final ScheduledExecutorService flusher;
  private final Map<String, Map<String, Reported>> reports = new LinkedHashMap<>();
  private final Map<String, String> states = new LinkedHashMap<>();
  private final Set<String> gets = new HashSet<>();
  private final AtomicLong published = new AtomicLong();
  private boolean flushScheduled; // guarded by this
  private volatile boolean closed;
  private final AtomicLong received = new AtomicLong();
  private volatile DesiredValues desired = (id, values) -> {};

  public TwinLink(Eventbus eventbus, Clock clock) {
    this.eventbus = eventbus;
    this.clock = clock;
    this.flusher = DaemonThreads.scheduled("kedge-mapper-twins");
  }

  public TwinLink start(DesiredValues handler) {
    this.desired = handler;
    eventbus.subscribe(TwinContract.ALL_DELTAS, this::onDelta);
    eventbus.subscribe(TwinContract.ALL_GET_RESULTS, this::onGetResult);
    return this;
  }

  private void onDelta(String topic, byte[] payload) {
    received.incrementAndGet();
    String id = TwinContract.deviceId(topic).orElse("");
    try {
      desired.desired(id, TwinContract.parseDelta(payload));
    } catch (IllegalArgumentException e) {
      LOG.warn("{}: ignored: {}", topic, e.getMessage());
    }
  }

  /** After a (re)start: desired values that were never reported are carried out now. */
  private void onGetResult(String topic, byte[] payload) {
    received.incrementAndGet();
    String id = TwinContract.deviceId(topic).orElse("");
    try {
      Map<String, String> pending = new LinkedHashMap<>();
      TwinContract.parseTwins(payload)
          .forEach(
              (prop, twin) -> {
                if (twin.expected() != null && !twin.expected().equals(twin.actual())) {
                  pending.put(prop, twin.expected());
                }
              });
      if (!pending.isEmpty()) {
        desired.desired(id, pending);
      }
    } catch (IllegalArgumentException e) {
      LOG.warn("{}: ignored: {}", topic, e.getMessage());
    }
  }

  /** Queues a reported value (or failure) of one property. */
  public synchronized void report(String deviceId, String property, Reported value) {
    reports.computeIfAbsent(deviceId, k -> new LinkedHashMap<>()).put(property, value);
    flushSoon(FLUSH_MILLIS);
  }

  /** Queues the device's state: online, offline or unknown. */
  public synchronized void state(String deviceId, String state) {
    states.put(deviceId, state);
    flushSoon(FLUSH_MILLIS);
  }

  /** Asks the edge for the device's twins; the answer's pending desired values are applied. */
  public synchronized void requestTwins(String deviceId) {
    gets.add(deviceId);
    flushSoon(FLUSH_MILLIS);
  }

  private synchronized void flushSoon(long millis) {
    if (!flushScheduled && !closed) {
      flushScheduled = true;
      flusher.schedule(this::flushAndRetry, millis, TimeUnit.MILLISECONDS);
    }
  }

  private void flushAndRetry() {
    synchronized (this) {
      flushScheduled = false;
    }
    flush();
    synchronized (this) {
      if (!reports.isEmpty() || !states.isEmpty() || !gets.isEmpty()) {
        flushSoon(RETRY_MILLIS); // not sent: the broker is away
      }
    }
  }

  /**
   * Sends what is queued; what cannot be sent stays queued (latest value wins). After the first
   * message the broker does not take, the rest is not tried: each try may wait out the eventbus's
   * wait limit, and a flush on close must end.
   */
  void flush() {
    if (!eventbus.connected()) {
      return;
    }
    Map<String, Map<String, Reported>> toReport;
    Map<String, String> toState;
    Set<String> toGet;
    synchronized (this) {
      toReport = new LinkedHashMap<>(reports);
      toState = new LinkedHashMap<>(states);
      toGet = new HashSet<>(gets);
      reports.clear();
      states.clear();
      gets.clear();
    }
    long now = clock.millis();
    Sender sender = new Sender();
    toState.forEach(
        (id, state) -> {
          if (!sender.send(TwinContract.stateUpdate(id), TwinContract.state(state, now))) {
            synchronized (this) {
              states.putIfAbsent(id, state);
            }
          }
        });
    toReport.forEach(
        (id, values) -> {
          for (Map<String, Reported> chunk : chunks(values)) {
            if (!sender.send(TwinContract.twinUpdate(id), TwinContract.report(chunk, now))) {
              synchronized (this) {
                Map<String, Reported> newer =
                    reports.computeIfAbsent(id, k -> new LinkedHashMap<>());
                chunk.forEach(newer::putIfAbsent);
              }
            }
          }
        });
    toGet.forEach(
        id -> {
          if (!sender.send(TwinContract.twinGet(id), TwinContract.get(now))) {
            requestTwins(id);
          }
        });
  }

  /**
   * At most {@link #MAX_PROPERTIES_PER_MESSAGE} properties per message: brokers limit message sizes
   * (Moquette to 8 KiB by default), and one device may have hundreds of properties.
   */
  static List<Map<String, Reported>> chunks(Map<String, Reported> values) {
    List<Map<String, Reported>> chunks = new ArrayList<>();
    Map<String, Reported> chunk = new LinkedHashMap<>();
    for (Map.Entry<String, Reported> value : values.entrySet()) {
      if (chunk.size() == MAX_PROPERTIES_PER_MESSAGE) {
        chunks.add(chunk);
        chunk = new LinkedHashMap<>();
      }
      chunk.put(value.getKey(), value.getValue());
    }
    if (!chunk.isEmpty()) {
      chunks.add(chunk);
    }
    return chunks;
  }

  /** One flush's sending: once a message is not taken, the rest stays queued for the next. */
  private final class Sender {
    private boolean failed;

    boolean send(String topic, byte[] payload) {
      if (failed || !eventbus.tryPublish(topic, payload)) {
        failed = true;
        return false;
      }
      published.incrementAndGet();
      return true;
    }
  }

  /** Twin messages published (reports, states, gets). */
  public long publishedCount() {
    return published.get();
  }

  public long receivedCount() {
    return received.get();
  }

  public boolean connected() {
    return eventbus.connected();
  }

  @Override
  public void close() {
    closed = true;
    flusher.shutdownNow();
    flush();
    eventbus.unsubscribe(TwinContract.ALL_DELTAS);
    eventbus.unsubscribe(TwinContract.ALL_GET_RESULTS);
  }
}
