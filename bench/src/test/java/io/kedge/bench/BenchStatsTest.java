package io.kedge.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BenchStatsTest {
  @Test
  void theMedianIsTheMiddleValueOrTheMeanOfTheTwoMiddleOnes() {
    assertThat(BenchStats.median(new double[] {5, 1, 3})).isEqualTo(3);
    assertThat(BenchStats.median(new double[] {4, 1, 3, 10})).isEqualTo(3.5);
    assertThat(BenchStats.median(new double[] {})).isZero();
  }

  @Test
  void percentilesUseTheNearestRank() {
    long[] values = {50, 10, 40, 20, 30};
    assertThat(BenchStats.percentile(values, 50)).isEqualTo(30);
    assertThat(BenchStats.percentile(values, 99)).isEqualTo(50);
    assertThat(BenchStats.percentile(new long[] {}, 50)).isZero();
  }
}
