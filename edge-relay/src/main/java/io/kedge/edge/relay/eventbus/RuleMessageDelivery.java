package io.kedge.edge.relay.eventbus;

import io.kedge.edge.api.log.EntryLog;
import io.kedge.edge.api.log.LogEntry;
import io.kedge.edge.relay.log.PositionFile;
import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.runtime.mqtt.Eventbus;
import io.kedge.schemas.RuleMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the rule messages the LOG receives for this node's eventbus (rest → eventbus rules) at
 * QoS 1, in log order, and hands servicebus ones to the {@link ServicebusCaller}. The position
 * after the last acknowledged publish is kept in a file, so a message is published at least once
 * across broker outages and restarts; while the broker is away, delivery waits and retries.
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

  /** Messages published before waiting for their acknowledgements. */
  static final int WINDOW = 256;

  /** The longest wait for an entry while caught up (an append wakes it sooner). */
  private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

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
    try (EntryLog.LogReader reader = log.readAfter(after)) {
      while (running) {
        List<Pending> window = new ArrayList<>();
        long appends = log.appendCount();
        LogEntry entry = null;
        while (window.size() < WINDOW && (entry = reader.next()) != null) {
          after = entry.index();
          if (entry.event().data() instanceof RuleMessage message && accept(message)) {
            window.add(new Pending(entry.index(), message));
          }
        }
        if (!window.isEmpty() && !deliver(window)) {
          break; // stopped before all were acknowledged: the position stays before them
        }
        if (finished.get() != after) { // once per window, not per message
          position.write(after);
          finished.set(after);
        }
        if (entry == null) {
          log.awaitAppend(appends, IDLE_WAIT_NANOS);
        }
      }
    } catch (RuntimeException e) {
      LOG.error("node {}: eventbus delivery stopped after log index {}: {}", node, after, e, e);
    }
  }

  private record Pending(long index, RuleMessage message) {}

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
   * Publishes a window of messages without waiting for each acknowledgement (Paho sends them in
   * order on one connection), then waits for all, each at most the eventbus's wait limit; from the
   * first that failed or went unanswered, the rest is published again, one by one, once the broker
   * is back: at least once, in order. False when stopped before every message was acknowledged.
   *
   * <p>Waiting for the window before publishing what the log received meanwhile holds a message
   * back by up to one acknowledgement; publishing it at once (pipelined) was measured and not kept
   * (decision record 0009).
   */
  private boolean deliver(List<Pending> window) {
    List<IMqttDeliveryToken> tokens = new ArrayList<>();
    int first = 0;
    try {
      for (Pending pending : window) {
        tokens.add(eventbus.publishAsync(pending.message().target(), pending.message().payload()));
      }
      for (; first < tokens.size(); first++) {
        tokens.get(first).waitForCompletion(eventbus.waitLimit().toMillis());
      }
      return true;
    } catch (MqttException e) {
      // fall through: publish the rest one at a time, waiting for the broker
    }
    for (int i = Math.min(first, window.size()); i < window.size(); i++) {
      if (!deliverOne(window.get(i).index(), window.get(i).message())) {
        return false;
      }
    }
    return true;
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
