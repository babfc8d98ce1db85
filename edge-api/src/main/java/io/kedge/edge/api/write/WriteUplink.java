package io.kedge.edge.api.write;

import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.WriteRequest;

/** The relay's side of edge writes: the uplink to the cloud and the node's own log. */
public interface WriteUplink {
  /** True while the cloud link is up; writes to cloud-owned objects fail fast otherwise. */
  boolean connected();

  /**
   * Queues {@code request} durably for the cloud; the answer comes back through the log as a {@link
   * io.kedge.schemas.WriteResponse} with the same request id.
   */
  void forward(WriteRequest request);

  /**
   * Appends an edge-owned change (a resource upsert or delete) to the node's log, so the VIEW
   * applies it in order with everything else; returns its log index.
   */
  long applyLocally(KedgeEvent change);
}
