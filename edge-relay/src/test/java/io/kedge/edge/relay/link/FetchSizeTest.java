package io.kedge.edge.relay.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FetchSizeTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10); // a fetch gets 2.5 s
  private static final long POLL = 200_000_000L;
  private static final int KIB = 1024;
  private static final double FULL = Double.MAX_VALUE;

  /** Feeds polls of 200 ms at {@code perSecond} for {@code seconds}; returns the last answer. */
  private static int link(FetchSize size, double perSecond, double backlogBytes, int seconds) {
    int answer = size.bytes();
    for (int i = 0; i < seconds * 5; i++) {
      answer = size.observe(POLL, perSecond / 5, backlogBytes, 100);
    }
    return answer;
  }

  @Test
  void aSlowLinkShrinksFetchesToWhatCrossesInAQuarterOfTheTimeout() {
    FetchSize size = new FetchSize(FetchSize.MAX, TIMEOUT);
    // 48 KiB/s crosses 120 KiB in 2.5 s: the largest power of two below is 64 KiB
    assertThat(link(size, 48 * KIB, FULL, 1)).isEqualTo(64 * KIB);
    assertThat(size.measuredRate()).isEqualTo(48 * KIB);
    assertThat(link(size, 48 * KIB, FULL, 10)).as("stays").isEqualTo(64 * KIB);
  }

  @Test
  void aFastLinkKeepsTheLargestFetch() {
    FetchSize size = new FetchSize(FetchSize.MAX, TIMEOUT);
    assertThat(link(size, 500.0 * KIB * KIB, FULL, 3)).isEqualTo(FetchSize.MAX);
  }

  @Test
  void aLinkThatGetsFasterGrowsFetchesOnlyToWhatCrossesInHalfTheBudget() {
    FetchSize size = new FetchSize(64 * KIB, TIMEOUT);
    // 100 KiB/s: 250 KiB in the budget, 125 KiB in half of it: 64 KiB stays
    assertThat(link(size, 100 * KIB, FULL, 3)).isEqualTo(64 * KIB);
    // 1 MiB/s: 1.25 MiB in half the budget: 1 MiB
    assertThat(link(size, 1024 * KIB, FULL, 1)).isEqualTo(1024 * KIB);
  }

  @Test
  void aRateNearABoundaryDoesNotFlap() {
    FetchSize size = new FetchSize(256 * KIB, TIMEOUT);
    // 256 KiB crosses in 2.5 s from 102.4 KiB/s; it grows to 512 KiB only from 409.6 KiB/s
    for (double rate : new double[] {110, 400, 120, 390, 105}) {
      assertThat(link(size, rate * KIB, FULL, 1)).as("at %s KiB/s", rate).isEqualTo(256 * KIB);
    }
    assertThat(link(size, 100 * KIB, FULL, 1)).isEqualTo(128 * KIB);
  }

  @Test
  void sizesStayWithinTheBounds() {
    FetchSize size = new FetchSize(FetchSize.MAX, TIMEOUT);
    assertThat(link(size, 100, FULL, 1)).isEqualTo(FetchSize.MIN);
    assertThat(link(size, 1e12, FULL, 1)).isEqualTo(FetchSize.MAX);
  }

  @Test
  void pollsTheLinkDidNotLimitAreNotMeasured() {
    FetchSize size = new FetchSize(FetchSize.MAX, TIMEOUT);
    // a few records at a time on a fast link: the polls wait for data, not for the link
    assertThat(link(size, 10 * KIB, 8 * KIB, 10)).isEqualTo(FetchSize.MAX);
    assertThat(link(size, 10 * KIB, 0, 10)).isEqualTo(FetchSize.MAX);
    assertThat(size.measuredRate()).isEqualTo(-1);
  }

  @Test
  void aResponseArrivingInPiecesForAWholeWindowIsMeasuredWithNoKnownBacklog() {
    FetchSize size = new FetchSize(FetchSize.MAX, TIMEOUT);
    int answer = size.bytes();
    for (int i = 0; i < 5; i++) { // 1 s of a 4 MiB response trickling in, no record yet
      answer = size.observe(POLL, 48 * KIB / 5.0, 0, 0);
    }
    assertThat(answer).isEqualTo(64 * KIB);
  }

  @Test
  void shortBurstsOfAResponseAreNotAStreak() {
    FetchSize size = new FetchSize(FetchSize.MAX, TIMEOUT);
    for (int i = 0; i < 50; i++) { // idle: a small response now and then, records with it
      size.observe(POLL, 100, 0, 0);
      size.observe(POLL, 0, 0, 0);
      size.observe(POLL, 2 * KIB, 0, 2);
    }
    assertThat(size.bytes()).isEqualTo(FetchSize.MAX);
    assertThat(size.measuredRate()).isEqualTo(-1);
  }

  @Test
  void aWindowHoldsOnlyUninterruptedPollingSoASlowPastDoesNotBlendWithAFastPresent() {
    FetchSize size = new FetchSize(64 * KIB, TIMEOUT);
    for (int i = 0; i < 4; i++) { // 0.8 s of a slow link, then the backlog is gone
      size.observe(POLL, 48 * KIB / 5.0, FULL, 20);
    }
    size.observe(POLL, 0, 0, 0);
    assertThat(link(size, 8.0 * KIB * KIB, FULL, 1)).isEqualTo(FetchSize.MAX);
    assertThat(size.measuredRate()).isEqualTo(8.0 * KIB * KIB);
  }

  @Test
  void aSilentLinkLeavesTheSizeAlone() {
    FetchSize size = new FetchSize(FetchSize.MAX, TIMEOUT);
    assertThat(link(size, 0, FULL, 5)).isEqualTo(FetchSize.MAX);
  }

  @Test
  void theFirstSizeMustBeAPowerOfTwoWithinTheBounds() {
    assertThatThrownBy(() -> new FetchSize(3 * KIB * KIB, TIMEOUT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3145728");
    assertThatThrownBy(() -> new FetchSize(8 * KIB, TIMEOUT))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
