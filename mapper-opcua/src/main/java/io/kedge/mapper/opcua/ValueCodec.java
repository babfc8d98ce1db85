package io.kedge.mapper.opcua;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.UUID;
import org.eclipse.milo.opcua.stack.core.OpcUaDataType;
import org.eclipse.milo.opcua.stack.core.types.builtin.ByteString;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UByte;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UInteger;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.ULong;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UShort;

/**
 * Twin values are strings (KubeEdge's contract); OPC UA values are typed. Reading formats numbers
 * as plain decimals (25.5, never 2.55E+01); writing converts a desired string to the node's
 * built-in DataType, and says exactly why when it cannot (KubeEdge's mapper wrote every value as a
 * String and failed on other nodes).
 */
public final class ValueCodec {
  private ValueCodec() {}

  /** The twin string of an OPC UA value; null for an empty value. */
  public static String format(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Double d) {
      return decimal(d);
    }
    if (value instanceof Float f) {
      // through its shortest decimal string, so 0.1f is "0.1", not 0.10000000149011612
      return Float.isFinite(f) ? plain(new BigDecimal(Float.toString(f))) : f.toString();
    }
    if (value instanceof DateTime dateTime) {
      return dateTime.getJavaInstant().toString();
    }
    if (value instanceof LocalizedText text) {
      return text.text() == null ? "" : text.text();
    }
    if (value instanceof ByteString bytes) {
      return java.util.Base64.getEncoder().encodeToString(bytes.bytesOrEmpty());
    }
    return value.toString();
  }

  private static String decimal(double d) {
    return Double.isFinite(d) ? plain(BigDecimal.valueOf(d)) : Double.toString(d);
  }

  private static String plain(BigDecimal value) {
    BigDecimal stripped = value.stripTrailingZeros();
    return (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
  }

  /**
   * Converts a desired twin value to a Variant of {@code type}.
   *
   * @throws IllegalArgumentException naming the value, the type and the rule it breaks
   */
  public static Variant parse(String text, OpcUaDataType type) {
    String value = text.trim();
    try {
      return new Variant(
          switch (type) {
            case Boolean -> bool(value);
            case SByte -> Byte.parseByte(integral(value));
            case Byte -> UByte.valueOf(integral(value));
            case Int16 -> Short.parseShort(integral(value));
            case UInt16 -> UShort.valueOf(integral(value));
            case Int32 -> Integer.parseInt(integral(value));
            case UInt32 -> UInteger.valueOf(integral(value));
            case Int64 -> Long.parseLong(integral(value));
            case UInt64 -> ULong.valueOf(new BigInteger(integral(value)));
            case Float -> finiteFloat(value);
            case Double -> java.lang.Double.parseDouble(value);
            case String -> text;
            case DateTime -> new DateTime(Instant.parse(value));
            case Guid -> UUID.fromString(value);
            case ByteString -> ByteString.of(java.util.Base64.getDecoder().decode(value));
            case LocalizedText -> LocalizedText.english(text);
            default ->
                throw new IllegalArgumentException(
                    "OPC UA type " + type + " cannot be written from a twin value");
          });
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a " + type + " (" + range(type) + ")", e);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a DateTime (ISO-8601, e.g. 2024-05-01T12:00:00Z)", e);
    }
  }

  /** Accepts "42" and "42.0" for integers, never "42.5". */
  private static String integral(String value) {
    return new BigDecimal(value).toBigIntegerExact().toString();
  }

  private static Float finiteFloat(String value) {
    float f = java.lang.Float.parseFloat(value);
    if (java.lang.Float.isInfinite(f) && !value.toLowerCase(Locale.ROOT).contains("inf")) {
      throw new NumberFormatException("out of range");
    }
    return f;
  }

  private static Boolean bool(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "1" -> true;
      case "false", "0" -> false;
      default -> throw new NumberFormatException("not a boolean");
    };
  }

  private static String range(OpcUaDataType type) {
    return switch (type) {
      case Boolean -> "true/false or 1/0";
      case SByte -> "an integer from -128 to 127";
      case Byte -> "an integer from 0 to 255";
      case Int16 -> "an integer from -32768 to 32767";
      case UInt16 -> "an integer from 0 to 65535";
      case Int32 -> "a 32-bit integer";
      case UInt32 -> "an integer from 0 to 4294967295";
      case Int64 -> "a 64-bit integer";
      case UInt64 -> "an integer from 0 to 18446744073709551615";
      default -> "a decimal number";
    };
  }

  /** KubeEdge's twin type name for an OPC UA type: int, float, double, boolean, string, bytes. */
  public static String twinType(OpcUaDataType type) {
    return switch (type) {
      case SByte, Byte, Int16, UInt16, Int32, UInt32, Int64, UInt64 -> "int";
      case Float -> "float";
      case Double -> "double";
      case Boolean -> "boolean";
      case ByteString -> "bytes";
      default -> "string";
    };
  }
}
