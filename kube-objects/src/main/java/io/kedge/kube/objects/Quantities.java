package io.kedge.kube.objects;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.List;

/**
 * Kubernetes resource quantities ({@code 500m}, {@code 1.5Gi}, {@code 2e3}) as exact decimals, so
 * quantities written differently compare equal ({@code 0.5} and {@code 500m}), and in the canonical
 * form kube-apiserver prints them in ({@code 1024Mi} is {@code 1Gi}).
 */
public final class Quantities {
  /** Decimal suffixes, each a thousand times the one before; "" is 10^0. */
  private static final List<String> DECIMAL_SUFFIXES =
      List.of("n", "u", "m", "", "k", "M", "G", "T", "P", "E");

  /** Binary suffixes, each 1024 times the one before. */
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
    String written = text.strip();
    String suffix = suffix(written);
    boolean exponent = written.substring(0, written.length() - suffix.length()).matches(".*[eE].*");
    if (BINARY_SUFFIXES.contains(suffix)
        && !suffix.isEmpty()
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
    String suffix = suffix(s);
    String number = s.substring(0, s.length() - suffix.length());
    BigDecimal scale = scale(suffix);
    if (number.isEmpty() || scale == null) {
      return null;
    }
    try {
      return new BigDecimal(number).multiply(scale); // the number may carry an exponent: 2e3
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The letters that end {@code s}. */
  private static String suffix(String s) {
    int end = s.length();
    while (end > 0 && Character.isLetter(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(end);
  }

  /** What a suffix multiplies by, or null when it is none of Kubernetes' suffixes. */
  private static BigDecimal scale(String suffix) {
    int binary = BINARY_SUFFIXES.indexOf(suffix);
    if (binary > 0) {
      return new BigDecimal(BigInteger.ONE.shiftLeft(10 * binary));
    }
    int decimal = DECIMAL_SUFFIXES.indexOf(suffix);
    return decimal < 0 ? null : BigDecimal.ONE.scaleByPowerOfTen(3 * (decimal - 3));
  }
}
