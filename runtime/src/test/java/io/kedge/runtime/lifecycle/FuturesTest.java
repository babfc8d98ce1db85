package io.kedge.runtime.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class FuturesTest {
  @Test
  void settledWaitsForEveryFutureAndDoesNotFailWithThem() {
    CompletableFuture<String> failed = CompletableFuture.failedFuture(new IllegalStateException());
    CompletableFuture<String> pending = new CompletableFuture<>();

    CompletableFuture<Void> settled = Futures.settled(List.of(failed, pending));

    assertThat(settled).isNotDone();
    pending.complete("done");
    assertThat(settled).isCompleted();
  }

  @Test
  void causeIsWhatTheWrappersHold() {
    IllegalStateException why = new IllegalStateException("why");

    assertThat(Futures.cause(new CompletionException(new ExecutionException(why)))).isSameAs(why);
    assertThat(Futures.cause(why)).isSameAs(why);
    assertThat(Futures.cause(null)).isNull();
  }
}
