package io.kedge.edge.relay;

import io.kedge.edge.api.view.View;
import io.kedge.edge.relay.uplink.UplinkLog;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.WriteOperation;
import io.kedge.schemas.WriteRequest;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a node the cloud may not know: when the node's VIEW does not hold its own Node, a
 * create of that Node goes into the durable uplink, as a kubelet registers itself. The cloud
 * applies it (409 if the Node exists after all) and, seeing the Node, provisions the node's topic;
 * the downlink waits for that topic. The Node is described by {@link HostNode}.
 */
final class NodeRegistration {
  private static final Logger LOG = LoggerFactory.getLogger(NodeRegistration.class);
  static final String FIELD_MANAGER = "kedge-edge";

  private NodeRegistration() {}

  /**
   * @return whether a registration was queued
   */
  static boolean registerIfUnknown(String node, View view, UplinkLog uplink) {
    var nodes = view.types().byResource("", "v1", "nodes").orElseThrow();
    if (view.get(nodes, "", node).isPresent()) {
      return false;
    }
    ObjectKey key = new ObjectKey("", "v1", "Node", "", node);
    uplink.append(
        new WriteRequest(
            "register-" + node + "-" + UUID.randomUUID(),
            node,
            WriteOperation.CREATE,
            key,
            "",
            "",
            HostNode.describe(node),
            "",
            false,
            FIELD_MANAGER),
        key.toString());
    LOG.info(
        "node {}: does not hold its own Node; asked the cloud to register it (edge.register-node)",
        node);
    return true;
  }
}
