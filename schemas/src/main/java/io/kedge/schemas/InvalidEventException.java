package io.kedge.schemas;

/**
 * An event that does not match its envelope or its schema. It names the offending field (a
 * CloudEvents attribute or a JSON pointer into {@code data}) and says why, so a dead-letter entry
 * or a log line is enough to fix the writer.
 */
public final class InvalidEventException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String field;
  private final String reason;

  public InvalidEventException(String field, String reason) {
    super(field + ": " + reason);
    this.field = field;
    this.reason = reason;
  }

  public InvalidEventException(String field, String reason, Throwable cause) {
    super(field + ": " + reason, cause);
    this.field = field;
    this.reason = reason;
  }

  /** The attribute name or JSON path of the offending field, e.g. {@code data.key.kind}. */
  public String field() {
    return field;
  }

  public String reason() {
    return reason;
  }
}
