package io.kedge.edge.relay;

import io.kedge.edge.api.write.UplinkFullException;
import io.kedge.edge.api.write.WriteUplink;
import io.kedge.edge.relay.link.Downlink;
import io.kedge.edge.relay.link.LinkState;
import io.kedge.edge.relay.log.DiskReserve;
import io.kedge.edge.relay.log.DownlinkLog;
import io.kedge.edge.relay.uplink.UplinkBounds;
import io.kedge.edge.relay.uplink.UplinkForwarder;
import io.kedge.edge.relay.uplink.UplinkLog;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.WriteRequest;
import java.time.Clock;

/**
 * The relay's side of edge-API writes: requests go durably into the uplink queue (forwarded to
 * {@code kedge.upstream}), answers come back down the node topic into the log, and edge-owned
 * changes made while the cloud is away go straight into the log.
 */
final class RelayWriteUplink implements WriteUplink {
  private final Downlink downlink;
  private final UplinkLog uplink;
  private final DownlinkLog log;
  private final UplinkForwarder forwarder;
  private final UplinkBounds bounds;
  private final Clock clock;
  private final String node;

  RelayWriteUplink(
      String node,
      Downlink downlink,
      UplinkLog uplink,
      UplinkForwarder forwarder,
      DownlinkLog log,
      UplinkBounds bounds,
      Clock clock) {
    this.node = node;
    this.downlink = downlink;
    this.uplink = uplink;
    this.forwarder = forwarder;
    this.log = log;
    this.bounds = bounds;
    this.clock = clock;
  }

  @Override
  public boolean connected() {
    LinkState state = downlink.state();
    return state == LinkState.CONNECTED || state == LinkState.RESYNCING;
  }

  @Override
  public void forward(WriteRequest request) {
    if (bounds.policy() == UplinkBounds.FullPolicy.REJECT) {
      refuseWhenFull();
    }
    try {
      uplink.append(request, request.key().toString());
    } catch (DiskReserve.DiskFullException e) {
      throw new UplinkFullException(e.getMessage()); // answered 503 with Retry-After
    }
  }

  private void refuseWhenFull() {
    long forwarded = forwarder.forwardedIndex();
    long backlog = uplink.countAfter(forwarded);
    if (backlog >= bounds.maxEvents()) {
      throw new UplinkFullException(
          "the uplink of node "
              + node
              + " holds "
              + backlog
              + " events waiting for the cloud, the most uplink.max-events ("
              + bounds.maxEvents()
              + ") allows: writes are refused until the link drains it (or raise"
              + " uplink.max-events, or set uplink.full-policy=DROP_OLDEST)");
    }
    if (backlog == 0) {
      return; // nothing waits, so nothing is too old: no need to read the queue
    }
    UplinkLog.Pending oldest = uplink.firstAfter(forwarded);
    if (oldest != null
        && oldest.appendedAtMs() != 0
        && clock.millis() - oldest.appendedAtMs() > bounds.maxAge().toMillis()) {
      throw new UplinkFullException(
          "the oldest event in the uplink of node "
              + node
              + " has waited for the cloud longer than uplink.max-age ("
              + bounds.maxAge()
              + "): writes are refused until the link drains it (or raise uplink.max-age, or set"
              + " uplink.full-policy=DROP_OLDEST)");
    }
  }

  @Override
  public long applyLocally(KedgeEvent change) {
    try {
      return log.appendLocal(change);
    } catch (DiskReserve.DiskFullException e) {
      throw new UplinkFullException(e.getMessage());
    }
  }
}
