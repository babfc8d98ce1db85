package io.kedge.cloud.router;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.EventData;
import io.kedge.schemas.KedgeEvent;
import io.kedge.schemas.KedgeEventSerde;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.ResourceDelete;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.schemas.ResyncBegin;
import io.kedge.schemas.ResyncEnd;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A ROUTER topology on {@link TopologyTestDriver}, with helpers to feed and read it. */
abstract class RouterTestBase {
  static final URI SOURCE = URI.create("/kedge/test");
  final KedgeTopics topics = new KedgeTopics("kedge", 1, Duration.ofDays(7));
  final EventCodec codec = new EventCodec();
  final List<String> createdTopics = new ArrayList<>();
  TopologyTestDriver driver;
  TestInputTopic<String, byte[]> resources;
  TestInputTopic<String, byte[]> upstream;

  /** Whether the applier keeps kube-apiserver's system Namespaces: no, unless a test says so. */
  boolean systemNamespaces = false;

  /** What the router trusts nodes with: everything, unless a test says otherwise. */
  NodeTrust trust = NodeTrust.trusting();

  @TempDir Path stateDir;

  /** Node topics as the router gets them: created at once unless a test says otherwise. */
  NodeTopics nodeTopics() {
    return new NodeTopics() {
      @Override
      public void ensure(String node) {
        createdTopics.add(topics.node(node).name());
      }

      @Override
      public void released(String node) {}
    };
  }

  @BeforeEach
  void start() {
    NodeTopics nodeTopics = nodeTopics();
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "router-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver =
        new TopologyTestDriver(
            RouterTopology.build(
                topics,
                RouterTopology.DEFAULT_BROADCAST_KINDS,
                nodeTopics,
                null,
                trust,
                1,
                systemNamespaces),
            props);
    resources =
        driver.createInputTopic(
            topics.resources().name(), new StringSerializer(), new ByteArraySerializer());
    upstream =
        driver.createInputTopic(
            topics.upstream().name(), new StringSerializer(), new ByteArraySerializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  void send(EventData data) {
    send("", data);
  }

  /** Sends {@code data} to the resources topic in an event with {@code subject}. */
  void send(String subject, EventData data) {
    KedgeEvent event = KedgeEvent.of(SOURCE, subject, data);
    ProducerRecord<String, byte[]> record = codec.toRecord("t", "k", event);
    resources.pipeInput(new TestRecord<>(record.key(), record.value(), record.headers()));
  }

  /** Makes nodes edge-1 and edge-2 known and reads what their topics got so far. */
  void twoNodes() {
    upsert(node("edge-1"));
    upsert(node("edge-2"));
    received("edge-1");
    received("edge-2");
  }

  /** Sends a node's write request to the upstream topic, as its uplink does. */
  void submit(io.kedge.schemas.WriteRequest request) {
    ProducerRecord<String, byte[]> record =
        codec.toRecord(
            "t", request.node(), KedgeEvent.of(SOURCE, request.key().toString(), request));
    upstream.pipeInput(new TestRecord<>(record.key(), record.value(), record.headers()));
  }

  static com.fasterxml.jackson.databind.JsonNode json(String text) {
    try {
      return EventCodec.json().readTree(text);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static ObjectNode object(String apiVersion, String kind, String namespace, String name) {
    ObjectNode o = EventCodec.json().createObjectNode();
    o.put("apiVersion", apiVersion).put("kind", kind);
    ObjectNode metadata = o.putObject("metadata").put("name", name);
    if (!namespace.isEmpty()) {
      metadata.put("namespace", namespace);
    }
    return o;
  }

  void upsert(ObjectNode object) {
    send(new ResourceUpsert(ObjectKey.of(object), "", object));
  }

  void delete(ObjectNode object) {
    send(new ResourceDelete(ObjectKey.of(object), ""));
  }

  static ObjectNode node(String name) {
    return object("v1", "Node", "", name);
  }

  static ObjectNode pod(String name, String node, String... configMaps) {
    ObjectNode pod = object("v1", "Pod", "default", name);
    ObjectNode spec = pod.putObject("spec").put("nodeName", node);
    var volumes = spec.putArray("volumes");
    for (String cm : configMaps) {
      volumes.addObject().put("name", cm).putObject("configMap").put("name", cm);
    }
    spec.putArray("containers").addObject().put("name", "app");
    return pod;
  }

  static ObjectNode claim(String name, String volume) {
    ObjectNode pvc = object("v1", "PersistentVolumeClaim", "default", name);
    pvc.putObject("spec").put("volumeName", volume);
    return pvc;
  }

  static ObjectNode podWithClaim(String name, String node, String claim) {
    ObjectNode pod = pod(name, node);
    pod.withObject("spec")
        .withArray("volumes")
        .addObject()
        .put("name", "data")
        .putObject("persistentVolumeClaim")
        .put("claimName", claim);
    return pod;
  }

  static ObjectNode configMap(String name) {
    ObjectNode cm = object("v1", "ConfigMap", "default", name);
    cm.putObject("data").put("k", "v");
    return cm;
  }

  /** The events a node topic received since last read. */
  List<KedgeEvent> events(String node) {
    return driver
        .createOutputTopic(
            topics.node(node).name(),
            new StringDeserializer(),
            new KedgeEventSerde(codec).deserializer())
        .readValuesToList();
  }

  /** What a node topic received, as "upsert Kind/name" lines. */
  List<String> received(String node) {
    List<String> lines = new ArrayList<>();
    for (KedgeEvent event : events(node)) {
      EventData data = event.data();
      if (data instanceof ResourceUpsert u) {
        lines.add("upsert " + u.key().kind() + "/" + u.key().name());
      } else if (data instanceof ResourceDelete d) {
        lines.add("delete " + d.key().kind() + "/" + d.key().name());
      } else if (data instanceof ResyncBegin) {
        lines.add("begin");
      } else if (data instanceof ResyncEnd e) {
        lines.add("end " + e.objectCount());
      } else if (data instanceof io.kedge.schemas.WriteResponse r) {
        lines.add("answer " + r.code());
      }
    }
    return lines;
  }
}
