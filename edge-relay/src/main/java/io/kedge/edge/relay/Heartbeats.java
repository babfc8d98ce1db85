package io.kedge.edge.relay;

import io.kedge.edge.relay.link.LinkState;
import io.kedge.edge.relay.uplink.UplinkLog;
import io.kedge.runtime.lifecycle.DaemonThreads;
import io.kedge.schemas.NodeHeartbeat;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the node's {@link NodeHeartbeat} into the durable uplink every {@code interval} and at once
 * when the link changes state, so the cloud sees a node go offline (its heartbeats stop) and come
 * back (the one sent on reconnecting, after those stored while offline).
 */
final class Heartbeats implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Heartbeats.class);

  /** How often the link state is looked at between heartbeats. */
  private static final Duration LINK_CHECK = Duration.ofMillis(250);

  private final UplinkLog uplink;
  private final Supplier<NodeHeartbeat> state;
  private final Supplier<LinkState> link;
  private final Clock clock;
  private final long intervalMs;
  private final ScheduledExecutorService timer;
  private LinkState lastLink;
  private long lastSentMs;

  /**
   * @param state the node's health now, as a heartbeat
   */
  Heartbeats(
      UplinkLog uplink,
      Supplier<NodeHeartbeat> state,
      Supplier<LinkState> link,
      Duration interval,
      Clock clock,
      String node) {
    this.uplink = uplink;
    this.state = state;
    this.link = link;
    this.clock = clock;
    this.intervalMs = interval.toMillis();
    this.timer = DaemonThreads.scheduled("kedge-heartbeats-" + node);
  }

  Heartbeats start() {
    timer.scheduleWithFixedDelay(this::tick, 0, LINK_CHECK.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  private void tick() {
    try {
      LinkState now = link.get();
      long nowMs = clock.millis();
      if (now != lastLink || nowMs - lastSentMs >= intervalMs) {
        NodeHeartbeat beat = state.get();
        uplink.append(beat, beat.node());
        lastLink = now;
        lastSentMs = nowMs;
      }
    } catch (RuntimeException e) {
      LOG.warn("heartbeat not stored: {}", e.toString()); // the next tick tries again
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
