package io.kedge.schemas;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * A typed, immutable description of one kedge topic: its name, key and value serdes, and how it is
 * created. Producers and consumers take serdes from here so a topic is never read with the wrong
 * types.
 */
public record TopicDescriptor<K, V>(
    String name, Serde<K> keySerde, Serde<V> valueSerde, TopicPolicy policy) {
  public TopicDescriptor {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(keySerde, "keySerde");
    Objects.requireNonNull(valueSerde, "valueSerde");
    Objects.requireNonNull(policy, "policy");
  }
}
