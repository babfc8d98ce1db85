package io.kedge.bench;

import java.util.Arrays;

/** Percentiles of measured samples. */
final class BenchStats {
  private BenchStats() {}

  /** The {@code p}-th percentile (nearest rank) of {@code values}; 0 when there are none. */
  static long percentile(long[] values, int p) {
    if (values.length == 0) {
      return 0;
    }
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /** The median of {@code values}: the middle one, or the mean of the two middle ones. */
  static double median(double[] values) {
    if (values.length == 0) {
      return 0;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }
}
