package io.kedge.cloud.router;

import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.KedgeEventSerde;
import io.kedge.schemas.KedgeTopics;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.RecordContext;
import org.apache.kafka.streams.processor.TopicNameExtractor;

/** An event on its way to one node's topic. */
record Routed(String node, KedgeEvent event) {

  /** Picks the node topic of each routed record. */
  static TopicNameExtractor<String, Routed> topicOf(KedgeTopics topics) {
    return (String key, Routed value, RecordContext context) -> topics.node(value.node()).name();
  }

  /** Writes the event in CloudEvents binary mode; the node only chose the topic. */
  static final class RoutedSerializer implements Serializer<Routed> {
    private final Serializer<KedgeEvent> events =
        new KedgeEventSerde(new EventCodec()).serializer();

    @Override
    public byte[] serialize(String topic, Routed data) {
      throw new IllegalStateException("routed events need record headers");
    }

    @Override
    public byte[] serialize(String topic, Headers headers, Routed data) {
      return events.serialize(topic, headers, data.event());
    }
  }
}
