/**
 * Writes made on the edge API: forwarded to the cloud through the uplink and answered with the
 * cloud's real result, or, for edge-owned objects while the link is down, applied locally and
 * forwarded later. The relay implements {@link io.kedge.edge.api.write.WriteUplink}, so this
 * package knows nothing of Kafka.
 */
package io.kedge.edge.api.write;
