package io.kedge.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Objects;

/**
 * An edge node's health as it sees itself, sent up the uplink on a cadence and on every change of
 * its link state: how far its log has got in its node topic, its link, its uplink backlog, its
 * disk, its VIEW, its version and when it started. Stored and forwarded like any edge event; the
 * cloud keeps the latest by {@code sentAtMs}.
 *
 * @param logOffset the node-topic offset of the last record the node has logged (-1: none yet)
 * @param nextOffset the next node-topic offset the node reads, past transaction markers (-1: not
 *     read yet); the cloud's lag is the topic's end offset less this
 * @param linkState the cloud link's state when sent ({@code CONNECTED}, {@code DISCONNECTED}, ...)
 */
public record NodeHeartbeat(
    String node,
    long sentAtMs,
    long startedAtMs,
    String version,
    String linkState,
    long logOffset,
    long nextOffset,
    long uplinkBacklog,
    long diskFreeBytes,
    long diskBudgetBytes,
    long viewObjects)
    implements EventData {

  public NodeHeartbeat {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(linkState, "linkState");
    version = version == null ? "" : version;
  }

  @JsonIgnore
  @Override
  public EventType type() {
    return EventType.NODE_HEARTBEAT;
  }
}
