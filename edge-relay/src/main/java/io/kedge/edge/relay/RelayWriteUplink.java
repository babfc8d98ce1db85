package io.kedge.edge.relay;

import io.kedge.edge.api.write.WriteUplink;
import io.kedge.edge.relay.link.Downlink;
import io.kedge.edge.relay.link.LinkState;
import io.kedge.edge.relay.log.DownlinkLog;
import io.kedge.edge.relay.uplink.UplinkLog;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.WriteRequest;

/**
 * The relay's side of edge-API writes: requests go durably into the uplink queue (forwarded to
 * {@code kedge.upstream}), answers come back down the node topic into the log, and edge-owned
 * changes made while the cloud is away go straight into the log.
 */
final class RelayWriteUplink implements WriteUplink {
  private final Downlink downlink;
  private final UplinkLog uplink;
  private final DownlinkLog log;

  RelayWriteUplink(Downlink downlink, UplinkLog uplink, DownlinkLog log) {
    this.downlink = downlink;
    this.uplink = uplink;
    this.log = log;
  }

  @Override
  public boolean connected() {
    LinkState state = downlink.state();
    return state == LinkState.CONNECTED || state == LinkState.RESYNCING;
  }

  @Override
  public void forward(WriteRequest request) {
    uplink.append(request, request.key().toString());
  }

  @Override
  public long applyLocally(KedgeEvent change) {
    return log.appendLocal(change);
  }
}
