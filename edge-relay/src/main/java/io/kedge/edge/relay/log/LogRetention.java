package io.kedge.edge.relay.log;

import io.kedge.edge.api.view.View;
import io.kedge.edge.api.view.ViewSnapshots;
import io.kedge.edge.relay.uplink.UplinkLog;
import io.kedge.runtime.lifecycle.DaemonThreads;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an edge node's data within its retention and disk budget. Old log cycles are deleted only
 * once a VIEW snapshot covers them (a restart loads the snapshot and replays the rest), uplink
 * cycles once every event in them has been forwarded. Snapshots are also taken periodically and on
 * close, so restarts replay little.
 */
public final class LogRetention implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LogRetention.class);

  /** What to keep: log cycles younger than {@code retention}, all data within {@code budget}. */
  public record Policy(Duration retention, long diskBudgetBytes, Duration snapshotInterval) {}

  /** What one pass did. */
  public record Pass(
      long snapshotIndex, int cyclesDeleted, long bytesFreed, long bytesUsed, boolean overBudget) {}

  private final DownlinkLog log;
  private final UplinkLog uplink;
  private final LongSupplier forwardedIndex;
  private LongSupplier otherReaders = () -> Long.MAX_VALUE;
  private final View view;
  private final ViewSnapshots snapshots;
  private final Path dataDir;
  private final Policy policy;
  private final Clock clock;
  private final AtomicLong cyclesDeleted = new AtomicLong();
  private ScheduledExecutorService timer;
  private long lastSnapshotAt;
  private boolean warnedOverBudget;

  public LogRetention(
      DownlinkLog log,
      UplinkLog uplink,
      LongSupplier forwardedIndex,
      View view,
      ViewSnapshots snapshots,
      Path dataDir,
      Policy policy,
      Clock clock) {
    this.log = log;
    this.uplink = uplink;
    this.forwardedIndex = forwardedIndex;
    this.view = view;
    this.snapshots = snapshots;
    this.dataDir = dataDir;
    this.policy = policy;
    this.clock = clock;
    this.lastSnapshotAt = clock.millis();
  }

  /**
   * Keeps the log cycles a reader besides the VIEW still needs: {@code position} is the last log
   * index it has finished (e.g. the eventbus delivery's).
   */
  public LogRetention keepingFor(LongSupplier position) {
    this.otherReaders = position;
    return this;
  }

  /** Runs a pass every {@code period} on a daemon thread. */
  public LogRetention start(Duration period, String node) {
    timer = DaemonThreads.scheduled("kedge-retention-" + node);
    timer.scheduleWithFixedDelay(
        this::safePass, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  private void safePass() {
    try {
      pass();
    } catch (RuntimeException | IOException e) {
      LOG.error("log retention pass in {} failed; it runs again later: {}", dataDir, e.toString());
    }
  }

  public long diskBudgetBytes() {
    return policy.diskBudgetBytes();
  }

  /** Log index of the newest snapshot on disk ({@code -1}: none). */
  public long snapshotIndex() {
    return snapshots.newestIndex();
  }

  public long cyclesDeleted() {
    return cyclesDeleted.get();
  }

  /** One pass: periodic snapshot, then deletion of what retention and the budget allow. */
  public synchronized Pass pass() throws IOException {
    long now = clock.millis();
    long covered = snapshots.newestIndex();
    if (now - lastSnapshotAt >= policy.snapshotInterval().toMillis()
        && view.resourceVersion() > covered) {
      covered = snapshot(covered);
    }
    long freed = 0;
    long used = QueueCycles.bytesUnder(dataDir);
    List<QueueCycles.Cycle> expired = expired(log.closedCycles(), used, now);
    if (!expired.isEmpty()) {
      if (covered < expired.get(expired.size() - 1).nextIndex()) {
        covered = snapshot(covered); // the deletion needs a snapshot past these cycles
      }
      List<QueueCycles.Cycle> deletable = new ArrayList<>();
      long readersAt = otherReaders.getAsLong();
      for (QueueCycles.Cycle cycle : expired) {
        long lastInCycle = cycle.nextIndex() - 1; // no overflow: readersAt may be Long.MAX_VALUE
        if (lastInCycle <= covered && lastInCycle <= readersAt) {
          deletable.add(cycle);
        }
      }
      freed += log.deleteCycles(deletable);
      cyclesDeleted.addAndGet(deletable.size());
      if (!deletable.isEmpty()) {
        LOG.info(
            "log retention in {}: deleted {} cycle(s) ({} MiB) covered by the snapshot at index {}",
            dataDir,
            deletable.size(),
            freed >> 20,
            covered);
      }
    }
    freed += uplink.deleteForwardedCycles(forwardedIndex.getAsLong());
    used = QueueCycles.bytesUnder(dataDir);
    boolean over = used > policy.diskBudgetBytes();
    if (over && !warnedOverBudget) {
      LOG.warn(
          "data in {} uses {} MiB, over the disk budget of {} MiB, and nothing more can be"
              + " deleted yet: the current log cycle, a lagging VIEW or an unforwarded uplink"
              + " holds it (a shorter log.roll-cycle frees space sooner)",
          dataDir,
          used >> 20,
          policy.diskBudgetBytes() >> 20);
    }
    warnedOverBudget = over;
    return new Pass(covered, (int) cyclesDeleted.get(), freed, used, over);
  }

  /** Oldest closed cycles past retention, or beyond the budget while over it. */
  private List<QueueCycles.Cycle> expired(List<QueueCycles.Cycle> closed, long used, long now) {
    List<QueueCycles.Cycle> expired = new ArrayList<>();
    long remaining = used;
    for (QueueCycles.Cycle cycle : closed) {
      boolean old = log.cycleEndMillis(cycle.cycle()) < now - policy.retention().toMillis();
      if (!old && remaining <= policy.diskBudgetBytes()) {
        break;
      }
      expired.add(cycle);
      remaining -= cycle.bytes();
    }
    return expired;
  }

  /** Takes a snapshot if the VIEW can give one; returns the index covered by snapshots now. */
  private long snapshot(long covered) {
    var checkpoint = view.checkpoint();
    if (checkpoint.isEmpty() || checkpoint.get().index() <= covered) {
      return covered; // mid-resync, or nothing new: try again on the next pass
    }
    long started = System.nanoTime();
    Path file = snapshots.write(checkpoint.get());
    lastSnapshotAt = clock.millis();
    LOG.info(
        "VIEW snapshot {}: {} objects at log index {} in {} ms",
        file.getFileName(),
        checkpoint.get().objects().size(),
        checkpoint.get().index(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    return checkpoint.get().index();
  }

  /** Stops the passes and takes a last snapshot, so the next start replays little. */
  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
    try {
      snapshot(snapshots.newestIndex());
    } catch (RuntimeException e) {
      LOG.warn("no VIEW snapshot on close: {}", e.toString());
    }
  }
}
