package io.kedge.edge.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kedge.runtime.config.ConfigSources;
import io.kedge.runtime.config.InvalidConfigException;
import io.kedge.runtime.tls.TlsMaterial;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The edge API's security rules: no open bind, TLS files in pairs, authentication over TLS. */
class EdgeConfigTest {
  @TempDir Path dir;

  private EdgeConfig parse(Map<String, Object> flags) {
    ConfigSources sources =
        ConfigSources.withEnvironment(Map.of())
            .flag("edge.node", "edge-1", "test")
            .flag("kafka.bootstrap", "127.0.0.1:9092", "test")
            .flag("edge.data-dir", dir.resolve("data"), "test");
    for (Map.Entry<String, Object> flag : flags.entrySet()) {
      sources = sources.flag(flag.getKey(), flag.getValue(), "test");
    }
    return EdgeConfig.from(EdgeConfig.DEF.parse(sources));
  }

  @Test
  void aNonLoopbackBindNeedsTlsAndAuthentication() {
    assertThatThrownBy(() -> parse(Map.of("edge.api-bind", "0.0.0.0")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("edge.api-bind")
        .hasMessageContaining("0.0.0.0")
        .hasMessageContaining("edge.api-token-file or edge.api-client-ca");
    Map<String, Object> tlsOnly = new LinkedHashMap<>();
    tlsOnly.put("edge.api-bind", "0.0.0.0");
    tlsOnly.put("edge.api-tls-cert", "/etc/kedge/tls.crt");
    tlsOnly.put("edge.api-tls-key", "/etc/kedge/tls.key");
    assertThatThrownBy(() -> parse(tlsOnly)).hasMessageContaining("edge.api-bind");
    tlsOnly.put("edge.api-token-file", "/etc/kedge/tokens");
    EdgeConfig config = parse(tlsOnly);
    assertThat(config.apiTls().enabled()).isTrue();
    assertThat(config.apiTls().authenticates()).isTrue();
    assertThat(parse(Map.of()).apiBind()).isEqualTo("127.0.0.1");
  }

  @Test
  void apiBoundsAndNodeSecurityAreReadAndCheckedWithTheirKeys() throws Exception {
    EdgeConfig config = parse(Map.of("edge.api-max-in-flight", 20, "edge.api-idle-timeout", "30s"));
    assertThat(config.apiLimits().maxInFlight()).isEqualTo(20);
    assertThat(config.apiLimits().idleTimeout()).isEqualTo(java.time.Duration.ofSeconds(30));
    assertThat(config.apiLimits().maxConnections()).isEqualTo(1024);
    assertThatThrownBy(() -> parse(Map.of("edge.api-max-in-flight", 0)))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("edge.api-max-in-flight");
    assertThatThrownBy(() -> parse(Map.of("edge.node-writes", "ConfigMap")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("edge.node-writes")
        .hasMessageContaining("each must be apiVersion/Kind, apiVersion/Kind@namespace or *");
    Path shortKey = Files.writeString(dir.resolve("node.key"), "c2hvcnQ=");
    assertThatThrownBy(() -> parse(Map.of("edge.node-key-file", shortKey.toString())))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("edge.node-key-file")
        .hasMessageContaining("must hold at least 32 bytes, not 5");
  }

  @Test
  void tlsFilesComeInPairsAndAuthenticationNeedsTls() {
    assertThatThrownBy(() -> parse(Map.of("edge.api-tls-cert", "/etc/kedge/tls.crt")))
        .hasMessageContaining("edge.api-tls-key")
        .hasMessageContaining("must be set together");
    assertThatThrownBy(() -> parse(Map.of("edge.api-token-file", "/etc/kedge/tokens")))
        .hasMessageContaining("edge.api-token-file")
        .hasMessageContaining("needs edge.api-tls-cert");
  }

  @Test
  void anEmptyOrMissingTokenFileIsAClearError() throws Exception {
    Path cert = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    TlsMaterial.writeSelfSignedPem(cert, key, List.of("127.0.0.1"));
    Path empty = Files.writeString(dir.resolve("tokens"), "# no tokens yet\n\n");
    assertThatThrownBy(
            () ->
                EdgeNode.apiSecurity(
                    new EdgeConfig.ApiTls(cert.toString(), key.toString(), empty.toString(), "")))
        .hasMessageContaining("edge.api-token-file")
        .hasMessageContaining("holds no token");
    assertThatThrownBy(
            () ->
                EdgeNode.apiSecurity(
                    new EdgeConfig.ApiTls(
                        cert.toString(), key.toString(), dir.resolve("nope").toString(), "")))
        .hasMessageContaining("cannot be read");
    Files.writeString(empty, "token-a\n token-b \n");
    assertThat(
            EdgeNode.apiSecurity(
                    new EdgeConfig.ApiTls(cert.toString(), key.toString(), empty.toString(), ""))
                .tokenDigests())
        .hasSize(2);
  }
}
