package io.kedge.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kedge.cloud.CloudConfig;
import io.kedge.cloud.manifest.Manifest;
import io.kedge.cloud.manifest.ManifestPublisher;
import io.kedge.cloud.router.Router;
import io.kedge.kafka.local.LocalKafkaCluster;
import io.kedge.kube.authorization.NodeWriteRules;
import io.kedge.runtime.net.FreePorts;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.ObjectKey;
import io.kedge.schemas.authorization.NodeSignatures;
import io.kedge.testkit.ChildJvm;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The join flow as an operator runs it, on a broker that authenticates (SASL: PLAIN for the cloud,
 * SCRAM for nodes) and authorizes (StandardAuthorizer): {@code kedge node add} makes the node's
 * user, ACLs and key into a join file; {@code kedge edge --join FILE} (a process of its own)
 * registers the node, receives its objects and writes as itself; {@code kedge node add} again gives
 * it a new login and key and the cloud refuses its old key; {@code kedge node remove} cuts it off
 * and deletes its topic.
 */
class NodeJoinIT {
  private static final String NODE = "edge-7";
  private static final String CLOUD = "kedge-cloud";

  @TempDir Path tmp;

  @Test
  void addJoinWorkAndRemove() throws Exception {
    int saslPort = FreePorts.on("127.0.0.1");
    String cloudPassword = "cloud-" + System.nanoTime();
    String sasl = "127.0.0.1:" + saslPort;
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    Path secretFile = tmp.resolve("node-key-secret");
    Files.writeString(secretFile, NodeSignatures.encode(secret));
    Path cloudProperties = tmp.resolve("cloud.properties");
    StringBuilder props = new StringBuilder();
    LocalKafkaCluster.saslPlainClient(CLOUD, cloudPassword)
        .forEach((k, v) -> props.append(k).append('=').append(v).append('\n'));
    Files.writeString(cloudProperties, props.toString());
    Path nodeBase = tmp.resolve("node-base.properties");
    Files.writeString(nodeBase, "security.protocol=SASL_PLAINTEXT\n");
    String prefix = "join" + System.nanoTime();
    KedgeTopics topics = new KedgeTopics(prefix, 1, Duration.ofDays(1));
    Map<String, Object> cloudClient =
        new HashMap<>(LocalKafkaCluster.saslPlainClient(CLOUD, cloudPassword));

    try (LocalKafkaCluster kafka =
            LocalKafkaCluster.builder()
                .dataDir(tmp.resolve("kafka"))
                .saslPlainListener("SASL", saslPort, Map.of(CLOUD, cloudPassword))
                .config(
                    "authorizer.class.name",
                    "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                .config("super.users", "User:ANONYMOUS;User:" + CLOUD)
                .build()
                .start(Duration.ofSeconds(60));
        Router router =
            Router.start(
                CloudConfig.embedded(sasl, tmp.resolve("cloud"), prefix, Duration.ofDays(1))
                    .withKafkaClient(cloudClient)
                    .withNodeKeySecret(secret)
                    .withNodeWrites(NodeWriteRules.NONE))) {
      Path join = tmp.resolve("edge-7.join.yaml");
      KedgeCommand.Outcome added =
          addNode(sasl, cloudProperties, prefix, secretFile, nodeBase, join);
      assertThat(added.exit()).as(added.err()).isZero();
      assertThat(added.out()).contains("node edge-7 added", "kedge edge --join " + join);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(join)))
          .isEqualTo("rw-------");
      assertThat(Files.readString(join)).contains("kind: NodeJoin", "SCRAM-SHA-512");

      try (ManifestPublisher publisher =
          new ManifestPublisher(sasl, cloudClient, topics, Duration.ofSeconds(30))) {
        var pod = EventCodec.json().createObjectNode();
        pod.put("apiVersion", "v1").put("kind", "Pod");
        pod.putObject("metadata").put("name", "web").put("namespace", "default");
        pod.putObject("spec").put("nodeName", NODE);
        publisher.apply(List.of(new Manifest(Path.of("test"), 1, ObjectKey.of(pod), pod)), m -> {});
      }

      HttpClient http = HttpClient.newHttpClient();
      JoinFile joined = JoinFile.read(join);
      assertThat(joined.nodeKeyGeneration()).isEqualTo(1);
      try (ChildJvm edge = edge(join, "edge.log")) {
        writeOwnPodStatus(http, edge, "Running");
        assertThat(router.rejections().total("unsigned")).isZero();
        assertThat(router.rejections().total("forbidden")).isZero();

        // the node's own login and key, speaking for another node: refused and counted
        sendResync(sasl, topics, joined, joined, "edge-8");
        Awaitility.await("the forged resync refused")
            .atMost(Duration.ofSeconds(30))
            .until(() -> router.rejections().total("node-mismatch") == 1);
      }

      // added again: a new login and the key's next generation; the old key is refused
      Path rejoin = tmp.resolve("edge-7.rejoin.yaml");
      KedgeCommand.Outcome readded =
          addNode(sasl, cloudProperties, prefix, secretFile, nodeBase, rejoin);
      assertThat(readded.exit()).as(readded.err()).isZero();
      assertThat(readded.out()).contains("upstream key generation 2 (its older keys are refused)");
      JoinFile rejoined = JoinFile.read(rejoin);
      assertThat(rejoined.nodeKeyGeneration()).isEqualTo(2);
      assertThat(rejoined.nodeKey()).isNotEqualTo(joined.nodeKey());
      try (ChildJvm edge = edge(rejoin, "edge-rejoined.log")) {
        writeOwnPodStatus(http, edge, "Succeeded");
        // the old key, even through a login that works: refused as revoked
        sendResync(sasl, topics, rejoined, joined, NODE);
        Awaitility.await("the old key's resync refused")
            .atMost(Duration.ofSeconds(30))
            .until(() -> router.rejections().total("revoked-key") == 1);
        assertThat(router.rejections().total("bad-signature")).isZero();

        KedgeCommand.Outcome removed =
            kedge(
                "node",
                "remove",
                NODE,
                "--kafka",
                sasl,
                "--kafka-client-properties",
                cloudProperties.toString(),
                "--topic-prefix",
                prefix);
        assertThat(removed.exit()).as(removed.err()).isZero();
        assertThat(removed.out())
            .contains(
                "node edge-7 removed: 4 ACLs of User:edge-7, SCRAM user edge-7, topic",
                "upstream key generation 3 recorded");
      }

      Map<String, Object> asNode = new HashMap<>();
      JoinFile.read(rejoin).client().forEach(asNode::put);
      asNode.put("bootstrap.servers", sasl);
      assertThatThrownBy(() -> readOne(asNode, topics.upstream().name()))
          .as("the removed node's login")
          .isInstanceOf(AuthenticationException.class);
      try (Admin admin = Admin.create(withServers(cloudClient, sasl))) {
        Awaitility.await("its topic deleted")
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    !admin
                        .listTopics()
                        .names()
                        .get(10, TimeUnit.SECONDS)
                        .contains(topics.node(NODE).name()));
      }
    }
  }

  @Test
  void aBadJoinFileIsAConfigErrorNamingIt() throws Exception {
    Path join = tmp.resolve("bad.join.yaml");
    Files.writeString(join, "kind: NodeJoin\nnode: edge-7\n");
    KedgeCommand.Outcome result =
        kedge("edge", "--join", join.toString(), "--data-dir", tmp.toString());
    assertThat(result.exit()).isEqualTo(KedgeCommand.CONFIG_ERROR);
    assertThat(result.err()).contains("--join = '" + join + "'", "needs kafka.bootstrap");
  }

  /**
   * {@code kedge node add edge-7} as the operator runs it, its join file written to {@code out}.
   */
  private static KedgeCommand.Outcome addNode(
      String sasl, Path cloudProperties, String prefix, Path secretFile, Path nodeBase, Path out) {
    return kedge(
        "node",
        "add",
        NODE,
        "--kafka",
        sasl,
        "--kafka-client-properties",
        cloudProperties.toString(),
        "--topic-prefix",
        prefix,
        "--node-key-secret-file",
        secretFile.toString(),
        "--node-client-properties",
        nodeBase.toString(),
        "-o",
        out.toString());
  }

  /** {@code kedge edge --join FILE} as a process of its own, once it says it is ready. */
  private ChildJvm edge(Path join, String log) throws Exception {
    List<String> args =
        List.of(
            "edge",
            "--join",
            join.toString(),
            "--data-dir",
            tmp.resolve("edge").toString(),
            "--api-port",
            "0",
            "--mqtt-port",
            "0",
            "--ops-port",
            "0");
    ChildJvm edge =
        ChildJvm.start("kedge-edge", Main.class, ChildJvm.chronicleFlags(), args, tmp.resolve(log));
    edge.awaitOutput(
        Pattern.compile(Pattern.quote(EdgeCommand.READY_LINE)), Duration.ofSeconds(120));
    return edge;
  }

  /** The node sets its own pod's phase through its edge API: a signed write the cloud applies. */
  private static void writeOwnPodStatus(HttpClient http, ChildJvm edge, String phase)
      throws Exception {
    Matcher api = Pattern.compile("edge API   (http://\\S+)").matcher(edge.readOutput());
    assertThat(api.find()).isTrue();
    String url = api.group(1);
    Awaitility.await("the joined node registered itself and received its pod")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> get(http, url + "/api/v1/namespaces/default/pods/web").statusCode() == 200);
    HttpResponse<String> status =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "/api/v1/namespaces/default/pods/web/status"))
                .header("Content-Type", "application/merge-patch+json")
                .method(
                    "PATCH",
                    HttpRequest.BodyPublishers.ofString(
                        "{\"status\":{\"phase\":\"" + phase + "\"}}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(status.statusCode())
        .as("a signed write of its own, applied by the cloud: " + status.body())
        .isEqualTo(200);
  }

  /**
   * A resync request for {@code about}, sent upstream with {@code login}'s Kafka login and signed
   * as edge-7 with {@code key}'s node key.
   */
  private static void sendResync(
      String sasl, KedgeTopics topics, JoinFile login, JoinFile key, String about)
      throws Exception {
    Map<String, Object> settings = new HashMap<>(login.client());
    settings.put("bootstrap.servers", sasl);
    try (org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> producer =
        new org.apache.kafka.clients.producer.KafkaProducer<>(
            settings,
            new org.apache.kafka.common.serialization.StringSerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      var record =
          new EventCodec()
              .toRecord(
                  topics.upstream().name(),
                  NODE,
                  io.kedge.schemas.KedgeEvent.of(
                      URI.create("/kedge/edge/" + NODE),
                      "",
                      new io.kedge.schemas.ResyncRequest(about, "r-" + System.nanoTime(), "test")));
      new NodeSignatures.NodeKey(NodeSignatures.decode(key.nodeKey()), key.nodeKeyGeneration())
          .sign(NODE, record.key(), record.value(), record.headers());
      producer.send(record).get(30, TimeUnit.SECONDS);
    }
  }

  private static KedgeCommand.Outcome kedge(String... args) {
    return KedgeCommand.run(args);
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, Object> withServers(Map<String, Object> client, String servers) {
    Map<String, Object> settings = new HashMap<>(client);
    settings.put("bootstrap.servers", servers);
    return settings;
  }

  private static void readOne(Map<String, Object> settings, String topic) {
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(settings, new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      consumer.poll(Duration.ofSeconds(10));
      consumer.position(tp);
    }
  }
}
