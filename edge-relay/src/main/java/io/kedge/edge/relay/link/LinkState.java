package io.kedge.edge.relay.link;

/** State of the cloud link as the downlink sees it. */
public enum LinkState {
  /** Not yet talked to Kafka since start. */
  CONNECTING,
  /** Kafka answers; records flow. */
  CONNECTED,
  /** Kafka does not answer; reads keep being served from the log. */
  DISCONNECTED,
  /** Waiting for the snapshot that closes a gap (new log, or offsets lost to retention). */
  RESYNCING
}
