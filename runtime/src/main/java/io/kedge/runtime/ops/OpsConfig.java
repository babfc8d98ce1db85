package io.kedge.runtime.ops;

import io.kedge.runtime.config.Config;
import io.kedge.runtime.config.ConfigKey;

/**
 * Where a deployable serves {@code /metrics}, {@code /healthz} and {@code /readyz}: {@code
 * ops.bind} and {@code ops.port}, with defaults per deployable.
 */
public record OpsConfig(String bind, int port) {
  public static ConfigKey<String> bindKey(String defaultBind) {
    return ConfigKey.string("ops.bind", defaultBind, "Address of the metrics and health endpoint.");
  }

  public static ConfigKey<Integer> portKey(int defaultPort) {
    return ConfigKey.port(
        "ops.port",
        defaultPort,
        true,
        "Port of /metrics (Prometheus), /healthz and /readyz; 0 picks a free port.");
  }

  public static OpsConfig from(Config config, ConfigKey<String> bind, ConfigKey<Integer> port) {
    return new OpsConfig(config.get(bind), config.get(port));
  }
}
