package io.kedge.it.env;

import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** A running Kafka of a scenario, local or in containers. */
public interface ScenarioKafka extends AutoCloseable {
  /** Comma-separated {@code host:port} of every node's client listener. */
  String bootstrapServers();

  /** Where the edge listener really is ({@code host:port}), for the link proxy to forward to. */
  String edgeListener();

  int size();

  /** Stops node {@code index} (0-based) as a crash would: no controlled shutdown. */
  void stopNode(int index);

  /** Starts node {@code index} again, with its data, and waits until it listens. */
  void startNode(int index);

  /** The 0-based index of the node whose {@code node.id} is {@code nodeId}. */
  default int indexOf(int nodeId) {
    return nodeId - 1;
  }

  /** Client properties pointing at this Kafka. */
  default Map<String, Object> clientConfig() {
    return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
  }

  @Override
  void close();
}
