package io.kedge.it.env;

/**
 * The Kafka a scenario needs.
 *
 * @param nodes combined broker+controller nodes (3 for leader loss)
 * @param edgeAdvertisedPort where edge nodes are told to connect ({@code 0}: no edge listener): a
 *     port of 127.0.0.1 on which the scenario runs its link proxy towards {@link
 *     ScenarioKafka#edgeListener()}
 */
public record KafkaSpec(int nodes, int edgeAdvertisedPort) {
  public KafkaSpec {
    if (nodes < 1) {
      throw new IllegalArgumentException("nodes must be at least 1, was " + nodes);
    }
  }

  public static KafkaSpec single() {
    return new KafkaSpec(1, 0);
  }

  public static KafkaSpec cluster(int nodes) {
    return new KafkaSpec(nodes, 0);
  }

  /** The same, plus an edge listener that advertises {@code 127.0.0.1:advertisedPort}. */
  public KafkaSpec withEdgeListener(int advertisedPort) {
    return new KafkaSpec(nodes, advertisedPort);
  }
}
