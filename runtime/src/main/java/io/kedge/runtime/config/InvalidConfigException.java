package io.kedge.runtime.config;

import java.util.List;
import java.util.stream.Collectors;

/** Every problem found in a configuration, reported at once so a user fixes them in one go. */
public final class InvalidConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient List<ConfigProblem> problems;

  public InvalidConfigException(List<ConfigProblem> problems) {
    super(
        problems.size()
            + " configuration problem"
            + (problems.size() == 1 ? "" : "s")
            + ":\n"
            + problems.stream().map(p -> "  - " + p).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  public List<ConfigProblem> problems() {
    return problems;
  }
}
