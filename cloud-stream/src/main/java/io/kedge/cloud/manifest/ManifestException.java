package io.kedge.cloud.manifest;

import java.util.List;
import java.util.stream.Collectors;

/** Every invalid document found, each with its file, document index and field. */
public final class ManifestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** One problem: {@code file} document {@code index} (from 1), {@code field}: {@code reason}. */
  public record Problem(String file, int document, String field, String reason) {
    @Override
    public String toString() {
      return file
          + " document "
          + document
          + (field.isEmpty() ? "" : " field " + field)
          + ": "
          + reason;
    }
  }

  private final transient List<Problem> problems;

  public ManifestException(List<Problem> problems) {
    super(
        problems.size()
            + " invalid manifest document"
            + (problems.size() == 1 ? "" : "s")
            + "; nothing was applied:\n"
            + problems.stream().map(p -> "  - " + p).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }
}
