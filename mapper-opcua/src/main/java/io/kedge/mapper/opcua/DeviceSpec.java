package io.kedge.mapper.opcua;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One OPC UA device as the mapper serves it, from a Device and its DeviceModel (or a KubeEdge
 * deviceProfile.json): where its server is, how to authenticate, and which nodes are its
 * properties.
 *
 * @param id the twin id: the Device's name
 */
public record DeviceSpec(
    String id, String namespace, Endpoint endpoint, List<Property> properties) {

  /** {@code spec.protocol.opcua}: the server and the session's security. */
  public record Endpoint(
      String url,
      String securityPolicy,
      String securityMode,
      String userName,
      String passwordFile,
      String certificateFile,
      String privateKeyFile,
      Duration timeout) {}

  /**
   * One property visitor.
   *
   * @param collectCycle how often the value is sampled (KubeEdge's collectCycle)
   * @param twinType the DeviceModel's type (int, double, float, boolean, string, bytes), or empty
   * @param reportCycle how often the latest value is reported again, changed or not (KubeEdge's
   *     reportCycle); zero: every {@code mapper.full-report-interval}
   */
  public record Property(
      String name,
      String nodeId,
      Duration collectCycle,
      String twinType,
      boolean readOnly,
      Duration reportCycle) {
    public Property(
        String name, String nodeId, Duration collectCycle, String twinType, boolean readOnly) {
      this(name, nodeId, collectCycle, twinType, readOnly, Duration.ZERO);
    }
  }

  public Optional<Property> property(String name) {
    return properties.stream().filter(p -> p.name().equals(name)).findFirst();
  }
}
