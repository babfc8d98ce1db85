package io.kedge.cloud.router;

import io.kedge.schemas.WriteRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log line of a node's write the cloud applied. A fleet renews a lease per node every ten
 * seconds and reports pod and device status all the time, so writes that succeed, and duplicates
 * dropped, are logged at DEBUG (logger {@code io.kedge.cloud.router.AppliedWrites}); writes
 * answered with an error at INFO.
 */
final class AppliedWrites {
  private static final Logger LOG = LoggerFactory.getLogger(AppliedWrites.class);

  private AppliedWrites() {}

  /** Logs {@code request}, answered with {@code code} by {@code authority} ("" for kedge). */
  static void log(WriteRequest request, int code, String authority) {
    boolean failed = code >= 400;
    if (failed ? !LOG.isInfoEnabled() : !LOG.isDebugEnabled()) {
      return;
    }
    String line =
        "write {} from node {}: {} {}{} -> " + (authority.isEmpty() ? "" : authority + " ") + "{}";
    Object[] arguments = {
      request.requestId(),
      request.node(),
      request.operation(),
      request.key(),
      request.subresource().isEmpty() ? "" : "/" + request.subresource(),
      code
    };
    if (failed) {
      LOG.info(line, arguments);
    } else {
      LOG.debug(line, arguments);
    }
  }

  /**
   * Logs a write dropped because it was applied before (a node sends again what it is unsure of).
   */
  static void duplicate(WriteRequest request) {
    LOG.debug(
        "write {} from node {} was applied before: dropped as a duplicate",
        request.requestId(),
        request.node());
  }
}
