package io.kedge.edge.relay.link;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The downlink's judgement of the cloud link, on a clock of its own so that it can be tested
 * without a network: the link is up while bytes arrive from Kafka, however slowly; a link silent
 * for {@link #PROBE} is to be asked (the answer to a question asked while data flows would queue
 * behind it and, on a slow link, time out); a question that goes unanswered, or a failed request,
 * takes the link down and backs off, doubling up to {@link #MAX_BACKOFF}. Written by the downlink
 * thread alone; the state is read by anyone.
 */
final class LinkWatch {
  private static final Logger LOG = LoggerFactory.getLogger(LinkWatch.class);
  static final Duration PROBE = Duration.ofSeconds(2);
  static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

  /** What the log line of a transition adds: the log offset and the lag then. */
  interface Context {
    String describe();
  }

  private final String node;
  private final LongSupplier nanoTime;
  private final Context context;
  private final AtomicReference<LinkState> state = new AtomicReference<>(LinkState.CONNECTING);
  private final AtomicLong disconnects = new AtomicLong();
  private double heardBytes = -1;
  private long heardAt;
  private long nextCheck;
  private long backoffMillis = FIRST_BACKOFF.toMillis();

  LinkWatch(String node, LongSupplier nanoTime, Context context) {
    this.node = node;
    this.nanoTime = nanoTime;
    this.context = context;
    this.heardAt = nanoTime.getAsLong() - PROBE.toNanos(); // nothing heard yet: ask first
    this.nextCheck = nanoTime.getAsLong();
  }

  LinkState state() {
    return state.get();
  }

  long disconnects() {
    return disconnects.get();
  }

  /**
   * The consumer's count of bytes received from Kafka so far: any change means the link is up.
   * {@code resyncing} says which state an answer leads to.
   */
  void received(double bytes, boolean resyncing) {
    if (bytes != heardBytes) {
      heardBytes = bytes;
      heardAt = nanoTime.getAsLong();
      answered(resyncing);
    }
  }

  /** Kafka answered a request: a down (or not yet up) link is up again. */
  void answered(boolean resyncing) {
    LinkState now = state.get();
    if (now == LinkState.DISCONNECTED || now == LinkState.CONNECTING) {
      transition(resyncing ? LinkState.RESYNCING : LinkState.CONNECTED, "Kafka answers");
    }
  }

  /**
   * Whether the periodic checks are due (once per {@link #PROBE}); if so, the next is scheduled.
   */
  boolean checkDue() {
    long now = nanoTime.getAsLong();
    if (now < nextCheck) {
      return false;
    }
    nextCheck = now + PROBE.toNanos();
    return true;
  }

  /** Whether the link has been silent long enough to be asked whether it is still there. */
  boolean silent() {
    return nanoTime.getAsLong() - heardAt >= PROBE.toNanos();
  }

  /** A pass of the downlink went through: the next failure backs off from the start again. */
  void passed() {
    backoffMillis = FIRST_BACKOFF.toMillis();
  }

  /**
   * Kafka did not answer, or refused: the link is down. Returns how long to wait before trying
   * again; the checks are due at once after it.
   */
  long failed(String why) {
    transition(LinkState.DISCONNECTED, why);
    long wait = backoffMillis;
    backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF.toMillis());
    nextCheck = 0;
    return wait;
  }

  /** Moves to {@code next}, logging why; entering DISCONNECTED counts a disconnect. */
  void transition(LinkState next, String why) {
    LinkState previous = state.getAndSet(next);
    if (previous != next) {
      if (next == LinkState.DISCONNECTED) {
        disconnects.incrementAndGet();
      }
      LOG.info("node {} link {} -> {}: {} ({})", node, previous, next, why, context.describe());
    }
  }
}
