package io.kedge.edge.api.write;

/**
 * The uplink queue holds as much as it may while the cloud is away (policy REJECT): the write is
 * refused, and nothing already queued is lost. The message says how full and what to change.
 */
public final class UplinkFullException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UplinkFullException(String message) {
    super(message);
  }
}
