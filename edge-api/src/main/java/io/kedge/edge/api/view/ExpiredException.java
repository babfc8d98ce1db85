package io.kedge.edge.api.view;

/**
 * A watch asked to resume from a resourceVersion older than the history the VIEW retains; the
 * client must list again (Kubernetes answers 410 Gone, reason Expired).
 */
public final class ExpiredException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ExpiredException(long requested, long oldest) {
    super("too old resource version: " + requested + " (" + oldest + ")");
  }
}
