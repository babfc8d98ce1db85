package io.kedge.runtime.lifecycle;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What {@link CompletableFuture} lacks for waiting on many futures and reading their failures. */
public final class Futures {
  private Futures() {}

  /**
   * Completes once every one of {@code futures} has, whether it succeeded or failed; never fails.
   */
  public static CompletableFuture<Void> settled(
      Collection<? extends CompletableFuture<?>> futures) {
    return CompletableFuture.allOf(
        futures.stream()
            .map(future -> future.handle((ok, error) -> null))
            .toArray(CompletableFuture[]::new));
  }

  /** The failure inside the wrappers futures put around it, or null for none. */
  public static Throwable cause(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
