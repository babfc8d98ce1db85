package io.kedge.kube.objects;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes resource quantities ({@code 500m}, {@code 1.5Gi}, {@code 2e3}) as exact decimals, so
 * quantities written differently compare equal ({@code 0.5} and {@code 500m}), and in the canonical
 * form kube-apiserver prints them in ({@code 1024Mi} is {@code 1Gi}).
 */
public final class Quantities {
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

  private static final List<String> DECIMAL_SUFFIXES =
      List.of("n", "u", "m", "", "k", "M", "G", "T", "P", "E");
  private static final List<String> BINARY_SUFFIXES =
      List.of("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei");
  private static final BigInteger KIBI = BigInteger.valueOf(1024);

  private Quantities() {}

  /**
   * {@code text} as Kubernetes' {@code Quantity.String()} writes it: the format it was written in
   * (binary suffixes, decimal suffixes or an exponent), with the largest suffix that keeps the
   * number whole; binary quantities under 1Ki or with a fraction are written in decimal. Text that
   * is no quantity comes back unchanged.
   */
  public static String canonical(String text) {
    BigDecimal value = parse(text);
    if (value == null) {
      return text;
    }
    value = value.setScale(9, RoundingMode.UP); // Kubernetes keeps nano precision, rounding up
    if (value.signum() == 0) {
      return "0";
    }
    String suffix = text.strip().replaceAll("^[^A-Za-z]*", "");
    boolean exponent = !SUFFIXES.containsKey(suffix);
    if (suffix.endsWith("i")
        && value.abs().compareTo(BigDecimal.valueOf(1024)) >= 0
        && value.stripTrailingZeros().scale() <= 0) {
      BigInteger amount = value.toBigIntegerExact();
      int power = 0;
      while (power < BINARY_SUFFIXES.size() - 1 && amount.mod(KIBI).signum() == 0) {
        amount = amount.divide(KIBI);
        power++;
      }
      return amount + BINARY_SUFFIXES.get(power);
    }
    BigDecimal stripped = value.stripTrailingZeros();
    BigInteger mantissa = stripped.unscaledValue();
    int tens = -stripped.scale();
    int down = Math.floorMod(tens, 3); // to a multiple of 3
    mantissa = mantissa.multiply(BigInteger.TEN.pow(down));
    tens -= down;
    int index = tens / 3 + 3;
    if (exponent || index < 0 || index >= DECIMAL_SUFFIXES.size()) {
      return mantissa + (tens == 0 ? "" : "e" + tens);
    }
    return mantissa + DECIMAL_SUFFIXES.get(index);
  }

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
