package io.kedge.edge.relay.eventbus;

import io.kedge.edge.api.log.EntryLog;
import io.kedge.edge.api.log.LogEntry;
import io.kedge.edge.relay.log.PositionFile;
import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.runtime.mqtt.Eventbus;
import io.kedge.schemas.RuleMessage;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the rule messages the LOG receives for this node's eventbus (rest → eventbus rules) at
 * QoS 1, in log order, and hands servicebus ones to the {@link ServicebusCaller}. Publishing is
 * pipelined: a message goes out as soon as it is logged, while up to {@link #WINDOW} earlier ones
 * wait for their acknowledgements, so a message never waits for the broker to acknowledge the one
 * before it. The position after the last message acknowledged in order is kept in a file, so a
 * message is published at least once across broker outages and restarts; while the broker is away,
 * delivery waits and retries.
 */
public final class RuleMessageDelivery implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RuleMessageDelivery.class);

  private final String node;
  private final EntryLog log;
  private final Eventbus eventbus;
  private final ServicebusCaller servicebus;
  private final PositionFile position;
  private final Thread thread;
  private final AtomicLong finished = new AtomicLong(-1);

  /** Messages published and not yet acknowledged, at most. */
  static final int WINDOW = 256;

  /**
   * The longest wait for an entry (an append wakes it sooner); acknowledgements are collected then
   * too, unless the window is full.
   */
  private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  /** A published message: its log index, and the index read before it. */
  private record InFlight(
      long before, long index, RuleMessage message, IMqttDeliveryToken token, long sentNanos) {}

  /** Published messages in log order, the oldest unacknowledged first. */
  private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();

  private long stored;
  private volatile boolean running = true;

  /**
   * @param startIfNew where a node without a position file starts: the log's current end, so that a
   *     first start does not replay what the log already held
   */
  public RuleMessageDelivery(
      String node,
      EntryLog log,
      Eventbus eventbus,
      ServicebusCaller servicebus,
      PositionFile position,
      long startIfNew) {
    this.servicebus = servicebus;
    this.node = node;
    this.log = log;
    this.eventbus = eventbus;
    this.position = position;
    if (position.read().isEmpty()) {
      position.write(startIfNew);
    }
    this.thread = new Thread(this::run, "kedge-eventbus-delivery-" + node);
    thread.setDaemon(true);
  }

  public RuleMessageDelivery start() {
    thread.start();
    return this;
  }

  /** The last log index this delivery has finished with, as stored. */
  public long position() {
    return finished.get();
  }

  private void run() {
    long after = position.read().orElse(-1);
    finished.set(after);
    stored = after;
    try (EntryLog.LogReader reader = log.readAfter(after)) {
      while (running) {
        long appends = log.appendCount();
        LogEntry entry = null;
        while (running && inFlight.size() < WINDOW && (entry = reader.next()) != null) {
          long before = after;
          after = entry.index();
          if (entry.event().data() instanceof RuleMessage message && accept(message)) {
            publish(before, entry.index(), message);
          }
        }
        settle();
        finished.set(inFlight.isEmpty() ? after : inFlight.peekFirst().before());
        store();
        if (inFlight.size() >= WINDOW) {
          awaitOlderHalf();
        } else if (entry == null) {
          log.awaitAppend(appends, IDLE_WAIT_NANOS);
        }
      }
    } catch (RuntimeException e) {
      LOG.error(
          "node {}: eventbus delivery stopped after log index {}: {}", node, finished.get(), e, e);
    } finally {
      store();
    }
  }

  /** True for eventbus messages to publish; servicebus ones are handed to their caller here. */
  private boolean accept(RuleMessage message) {
    if (!node.equals(message.node())) {
      return false;
    }
    if ("servicebus".equals(message.targetType())) {
      servicebus.call(message); // asynchronous: the answer goes up the uplink
      return false;
    }
    return true;
  }

  /**
   * Publishes without waiting. When the client refuses a message at once (the broker is away), the
   * whole window is published again, in order, before anything after it.
   */
  private void publish(long before, long index, RuleMessage message) {
    IMqttDeliveryToken token = null;
    try {
      token = eventbus.publishAsync(message.target(), message.payload());
    } catch (MqttException e) {
      // kept without a token: published again below
    }
    inFlight.addLast(new InFlight(before, index, message, token, System.nanoTime()));
    if (token == null) {
      republish();
    }
  }

  /**
   * Drops the acknowledged messages at the head of the window. From the first that failed, or that
   * waited longer than the eventbus's wait limit, every message in the window is published again,
   * one by one, waiting for the broker: at least once, in order.
   */
  private void settle() {
    while (!inFlight.isEmpty()) {
      InFlight head = inFlight.peekFirst();
      IMqttDeliveryToken token = head.token();
      boolean answered = token != null && token.isComplete();
      if (answered && token.getException() == null) {
        inFlight.pollFirst();
      } else if (token == null
          || answered
          || System.nanoTime() - head.sentNanos() > eventbus.waitLimit().toNanos()) {
        republish();
        return;
      } else {
        return;
      }
    }
  }

  private void republish() {
    while (!inFlight.isEmpty() && running) {
      InFlight first = inFlight.peekFirst();
      if (deliverOne(first.index(), first.message())) {
        inFlight.pollFirst();
      }
    }
  }

  /** Publishes and waits for the acknowledgement, retrying while the broker is away. */
  private boolean deliverOne(long index, RuleMessage message) {
    long backoff = 100;
    while (running) {
      try {
        eventbus.publish(message.target(), message.payload());
        return true;
      } catch (MqttException e) {
        if (backoff == 100 || backoff >= 5_000) {
          LOG.warn(
              "node {}: rule message {} (log index {}) to {} waits for the eventbus: {}",
              node,
              message.messageId(),
              index,
              message.target(),
              e.getMessage());
        }
        sleep(backoff);
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
    return false;
  }

  /**
   * Writes the finished position when it moved: once per pass over what the log holds, so under a
   * backlog once per group of messages (decision record 0009: why not less often).
   */
  private void store() {
    long done = finished.get();
    if (done != stored) {
      position.write(done);
      stored = done;
    }
  }

  /**
   * With the window full, waits until its older half is answered (or the wait limit of the oldest
   * ends: {@link #settle} then publishes the window again), so that under a backlog messages go out
   * in bursts of half a window rather than one per acknowledgement. Acknowledgements do not wake
   * the thread otherwise.
   */
  private void awaitOlderHalf() {
    InFlight oldest = inFlight.peekFirst();
    InFlight middle = oldest;
    int n = 0;
    for (InFlight published : inFlight) {
      middle = published;
      if (++n == WINDOW / 2) {
        break;
      }
    }
    long leftNanos = eventbus.waitLimit().toNanos() - (System.nanoTime() - oldest.sentNanos());
    if (leftNanos > 0) {
      try {
        middle.token().waitForCompletion(Math.max(1, TimeUnit.NANOSECONDS.toMillis(leftNanos)));
      } catch (MqttException e) {
        if (middle.token().isComplete()) {
          republish(); // it failed: the connection is gone, the window goes again
        } // else unanswered so far: settle() decides once the oldest's wait limit has passed
      }
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
    thread.interrupt();
    DaemonThreads.join(thread, 5_000);
  }
}
