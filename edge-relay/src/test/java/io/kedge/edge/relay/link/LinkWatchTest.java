package io.kedge.edge.relay.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The link's judgement on a clock the test moves: no network, no waiting. */
class LinkWatchTest {
  private long now = 1_000_000_000L;
  private final LinkWatch watch = new LinkWatch("edge-1", () -> now, () -> "test");

  private void advance(Duration by) {
    now += by.toNanos();
  }

  @Test
  void aNewLinkIsAskedAtOnceAndIsUpWhenBytesArrive() {
    assertThat(watch.state()).isEqualTo(LinkState.CONNECTING);
    assertThat(watch.checkDue()).isTrue();
    assertThat(watch.silent()).isTrue(); // nothing heard yet: ask
    watch.received(512, false);
    assertThat(watch.state()).isEqualTo(LinkState.CONNECTED);
    assertThat(watch.silent()).isFalse();
  }

  @Test
  void aSlowLinkThatKeepsDeliveringIsNeverAsked() {
    watch.received(100, false);
    for (int i = 0; i < 30; i++) { // a minute of a few bytes every 1.9 s
      advance(Duration.ofMillis(1_900));
      watch.received(100 + i + 1, false);
      if (watch.checkDue()) {
        assertThat(watch.silent()).isFalse();
      }
    }
    assertThat(watch.state()).isEqualTo(LinkState.CONNECTED);
    assertThat(watch.disconnects()).isZero();
  }

  @Test
  void aSilentLinkIsAskedOncePerProbeInterval() {
    watch.received(100, false);
    watch.checkDue();
    advance(LinkWatch.PROBE.minusMillis(1));
    watch.received(100, false); // the same count: nothing arrived
    assertThat(watch.checkDue()).isFalse();
    advance(Duration.ofMillis(1));
    assertThat(watch.checkDue()).isTrue();
    assertThat(watch.silent()).isTrue();
    assertThat(watch.checkDue()).isFalse(); // scheduled again a probe interval later
  }

  @Test
  void failuresTakeTheLinkDownOnceAndBackOffDoublingToTheCeiling() {
    watch.received(100, false);
    assertThat(watch.failed("timeout")).isEqualTo(200);
    assertThat(watch.state()).isEqualTo(LinkState.DISCONNECTED);
    assertThat(watch.failed("timeout")).isEqualTo(400);
    assertThat(watch.failed("timeout")).isEqualTo(800);
    for (int i = 0; i < 10; i++) {
      watch.failed("timeout");
    }
    assertThat(watch.failed("timeout")).isEqualTo(LinkWatch.MAX_BACKOFF.toMillis());
    assertThat(watch.disconnects()).isEqualTo(1); // one outage, however many failures
    assertThat(watch.checkDue()).isTrue(); // asked again right after the wait

    // back: up again, and the next outage backs off from the start
    watch.received(200, false);
    assertThat(watch.state()).isEqualTo(LinkState.CONNECTED);
    watch.passed();
    assertThat(watch.failed("refused")).isEqualTo(200);
    assertThat(watch.disconnects()).isEqualTo(2);
  }

  @Test
  void anAnswerDuringAResyncLeadsBackToResyncing() {
    watch.transition(LinkState.RESYNCING, "new log");
    watch.failed("timeout");
    watch.answered(true);
    assertThat(watch.state()).isEqualTo(LinkState.RESYNCING);
    // an answer does not end a resync: only its last part does
    watch.answered(false);
    assertThat(watch.state()).isEqualTo(LinkState.RESYNCING);
  }
}
