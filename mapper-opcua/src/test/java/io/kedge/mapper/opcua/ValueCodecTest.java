package io.kedge.mapper.opcua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.eclipse.milo.opcua.stack.core.OpcUaDataType;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UByte;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.ULong;
import org.junit.jupiter.api.Test;

class ValueCodecTest {

  @Test
  void numbersArePlainDecimals() {
    assertThat(ValueCodec.format(25.5)).isEqualTo("25.5"); // KubeEdge's mapper: 2.55E+01
    assertThat(ValueCodec.format(21.0)).isEqualTo("21");
    assertThat(ValueCodec.format(1e-7)).isEqualTo("0.0000001");
    assertThat(ValueCodec.format(1e21)).isEqualTo("1000000000000000000000");
    assertThat(ValueCodec.format(0.1f)).isEqualTo("0.1");
    assertThat(ValueCodec.format(Double.NaN)).isEqualTo("NaN");
    assertThat(ValueCodec.format(ULong.valueOf("18446744073709551615")))
        .isEqualTo("18446744073709551615");
    assertThat(ValueCodec.format(new DateTime(Instant.parse("2024-05-01T12:00:00Z"))))
        .isEqualTo("2024-05-01T12:00:00Z");
    assertThat(ValueCodec.format(null)).isNull();
  }

  @Test
  void desiredValuesBecomeTheNodesType() {
    assertThat(ValueCodec.parse("true", OpcUaDataType.Boolean).value()).isEqualTo(true);
    assertThat(ValueCodec.parse("0", OpcUaDataType.Boolean).value()).isEqualTo(false);
    assertThat(ValueCodec.parse("42.0", OpcUaDataType.Int32).value()).isEqualTo(42);
    assertThat(ValueCodec.parse("255", OpcUaDataType.Byte).value()).isEqualTo(UByte.valueOf(255));
    assertThat(ValueCodec.parse("-128", OpcUaDataType.SByte).value()).isEqualTo((byte) -128);
    assertThat(ValueCodec.parse("18446744073709551615", OpcUaDataType.UInt64).value())
        .isEqualTo(ULong.valueOf("18446744073709551615"));
    assertThat(ValueCodec.parse("2.5", OpcUaDataType.Float).value()).isEqualTo(2.5f);
    assertThat(ValueCodec.parse(" text ", OpcUaDataType.String).value()).isEqualTo(" text ");
    assertThat(ValueCodec.parse("2024-05-01T12:00:00Z", OpcUaDataType.DateTime).value())
        .isEqualTo(new DateTime(Instant.parse("2024-05-01T12:00:00Z")));
  }

  @Test
  void impossibleConversionsSayWhy() {
    assertThatThrownBy(() -> ValueCodec.parse("42.5", OpcUaDataType.Int32))
        .hasMessageContaining("'42.5' is not a Int32");
    assertThatThrownBy(() -> ValueCodec.parse("256", OpcUaDataType.Byte))
        .hasMessageContaining("0 to 255");
    assertThatThrownBy(() -> ValueCodec.parse("-1", OpcUaDataType.UInt32))
        .hasMessageContaining("0 to 4294967295");
    assertThatThrownBy(() -> ValueCodec.parse("yes", OpcUaDataType.Boolean))
        .hasMessageContaining("true/false");
    assertThatThrownBy(() -> ValueCodec.parse("1e40", OpcUaDataType.Float))
        .hasMessageContaining("is not a Float");
    assertThatThrownBy(() -> ValueCodec.parse("May 1st", OpcUaDataType.DateTime))
        .hasMessageContaining("ISO-8601");
    assertThatThrownBy(() -> ValueCodec.parse("x", OpcUaDataType.ExtensionObject))
        .hasMessageContaining("cannot be written");
  }
}
