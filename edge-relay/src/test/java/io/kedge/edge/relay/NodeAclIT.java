package io.kedge.edge.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kedge.edge.relay.link.LinkState;
import io.kedge.kafka.local.LocalKafkaCluster;
import io.kedge.runtime.net.FreePorts;
import io.kedge.schemas.EventbusMessage;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The per-node ACLs of docs/security.md on a broker that authenticates with SASL/PLAIN and
 * authorizes with KRaft's StandardAuthorizer: with only Read/Describe on its node topic and
 * Write/Describe on kedge.upstream, the edge relay of edge-1 works (resync, downlink, uplink), and
 * the same principal can neither read another node's topic nor write anywhere else.
 *
 * <p>The broker's plaintext listener (principal ANONYMOUS, a super user here) stands for the
 * cloud's own, unrestricted access; production brokers would give the cloud a principal too.
 */
class NodeAclIT extends RelayTestBase {
  private static final String OTHER_NODE = "edge-2";
  private final int saslPort = FreePorts.on("127.0.0.1");

  @Override
  LocalKafkaCluster.Builder cluster(LocalKafkaCluster.Builder builder) {
    return builder
        .saslPlainListener(
            "SASL", saslPort, Map.of(NODE, NODE + "-secret", OTHER_NODE, OTHER_NODE + "-secret"))
        .config("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
        .config("super.users", "User:ANONYMOUS");
  }

  @Test
  void anEdgePrincipalReadsOnlyItsNodeTopicAndWritesOnlyUpstream() throws Exception {
    String otherTopic = topics.node(OTHER_NODE).name();
    admin
        .createTopics(List.of(new NewTopic(otherTopic, 1, (short) 1)))
        .all()
        .get(30, TimeUnit.SECONDS);
    admin.createAcls(nodeAcls(NODE)).all().get(30, TimeUnit.SECONDS);
    admin.createAcls(nodeAcls(OTHER_NODE)).all().get(30, TimeUnit.SECONDS);

    Map<String, Object> flags =
        Map.of(
            "kafka.bootstrap",
            saslBootstrap(),
            "kafka.client-properties",
            clientProperties(NODE, NODE + "-secret"));
    try (EdgeNode edge = startEdge(flags)) {
      answerResync(1, List.of("a", "b"));
      Awaitility.await("resync through the node's ACLs")
          .atMost(Duration.ofSeconds(60))
          .until(() -> podNames(edge).equals(List.of("a", "b")));
      send(upsert("c"));
      Awaitility.await("downlink")
          .atMost(Duration.ofSeconds(30))
          .until(() -> podNames(edge).equals(List.of("a", "b", "c")));
      edge.uplinkLog()
          .append(new EventbusMessage("up-1", NODE, "default/telemetry", new byte[] {1}), "");
      Awaitility.await("uplink")
          .atMost(Duration.ofSeconds(60))
          .until(() -> upstreamMessageIds().contains("up-1"));
      assertThat(edge.linkState()).isEqualTo(LinkState.CONNECTED);
    }

    Map<String, String> asNode = LocalKafkaCluster.saslPlainClient(NODE, NODE + "-secret");
    assertThatThrownBy(() -> readOne(asNode, otherTopic))
        .as("another node's topic")
        .isInstanceOf(TopicAuthorizationException.class);
    assertThatThrownBy(() -> readOne(asNode, topics.upstream().name()))
        .as("the uplink of every node")
        .isInstanceOf(TopicAuthorizationException.class);
    for (String topic : List.of(otherTopic, topics.node(NODE).name())) {
      assertThatThrownBy(() -> writeOne(asNode, topic))
          .as("writing to %s", topic)
          .hasCauseInstanceOf(TopicAuthorizationException.class);
    }
    assertThatThrownBy(() -> readOne(LocalKafkaCluster.saslPlainClient(NODE, "wrong"), otherTopic))
        .as("a wrong password")
        .isInstanceOf(SaslAuthenticationException.class);
  }

  /** Exactly the ACLs docs/security.md tells operators to create for a node. */
  private List<AclBinding> nodeAcls(String node) {
    String principal = "User:" + node;
    List<AclBinding> acls = new ArrayList<>();
    for (AclOperation op : List.of(AclOperation.READ, AclOperation.DESCRIBE)) {
      acls.add(allow(principal, topics.node(node).name(), op));
    }
    for (AclOperation op : List.of(AclOperation.WRITE, AclOperation.DESCRIBE)) {
      acls.add(allow(principal, topics.upstream().name(), op));
    }
    return acls;
  }

  private static AclBinding allow(String principal, String topicRef, AclOperation op) {
    return new AclBinding(
        new ResourcePattern(ResourceType.TOPIC, topicRef, PatternType.LITERAL),
        new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW));
  }

  private String saslBootstrap() {
    return "127.0.0.1:" + saslPort;
  }

  private String clientProperties(String user, String password) throws IOException {
    Properties properties = new Properties();
    properties.putAll(LocalKafkaCluster.saslPlainClient(user, password));
    Path file = tmp.resolve(user + "-kafka.properties");
    try (Writer writer = Files.newBufferedWriter(file)) {
      properties.store(writer, "edge node " + user);
    }
    return file.toString();
  }

  private List<String> upstreamMessageIds() {
    List<String> ids = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = upstreamConsumer()) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofSeconds(2))) {
        if (codec.decode(r.headers(), r.value()).data() instanceof EventbusMessage m) {
          ids.add(m.messageId());
        }
      }
    }
    return ids;
  }

  private void readOne(Map<String, ?> security, String topic) {
    Map<String, Object> props = new HashMap<>(security);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, saslBootstrap());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(new TopicPartition(topic, 0)));
      consumer.seekToBeginning(consumer.assignment());
      for (int i = 0; i < 20; i++) {
        consumer.poll(Duration.ofMillis(500));
      }
    }
  }

  private void writeOne(Map<String, ?> security, String topic)
      throws InterruptedException, ExecutionException {
    Map<String, Object> props = new HashMap<>(security);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, saslBootstrap());
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, "k", new byte[] {1})).get();
    }
  }
}
