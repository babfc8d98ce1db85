package io.kedge.kube.objects;

import java.math.BigDecimal;
import java.util.Map;

/**
 * Kubernetes resource quantities ({@code 500m}, {@code 1.5Gi}, {@code 2e3}) as exact decimals, so
 * quantities written differently compare equal ({@code 0.5} and {@code 500m}).
 */
final class Quantities {
  private static final Map<String, BigDecimal> SUFFIXES =
      Map.ofEntries(
          Map.entry("n", new BigDecimal("1e-9")),
          Map.entry("u", new BigDecimal("1e-6")),
          Map.entry("m", new BigDecimal("1e-3")),
          Map.entry("", BigDecimal.ONE),
          Map.entry("k", new BigDecimal("1e3")),
          Map.entry("M", new BigDecimal("1e6")),
          Map.entry("G", new BigDecimal("1e9")),
          Map.entry("T", new BigDecimal("1e12")),
          Map.entry("P", new BigDecimal("1e15")),
          Map.entry("E", new BigDecimal("1e18")),
          Map.entry("Ki", BigDecimal.valueOf(1L << 10)),
          Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
          Map.entry("Gi", BigDecimal.valueOf(1L << 30)),
          Map.entry("Ti", BigDecimal.valueOf(1L << 40)),
          Map.entry("Pi", BigDecimal.valueOf(1L << 50)),
          Map.entry("Ei", BigDecimal.valueOf(1L << 60)));

  private Quantities() {}

  /** The quantity's value, or null when {@code text} is empty or not a quantity. */
  static BigDecimal parse(String text) {
    String s = text.strip();
    if (s.isEmpty()) {
      return null;
    }
    int end = s.length();
    while (end > 0 && Character.isLetter(s.charAt(end - 1))) {
      end--;
    }
    String number = s.substring(0, end);
    String suffix = s.substring(end);
    BigDecimal scale = SUFFIXES.get(suffix);
    try {
      if (scale == null) {
        return new BigDecimal(s); // decimal exponent: 1e3, 2E-3
      }
      return new BigDecimal(number).multiply(scale);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
