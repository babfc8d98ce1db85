package io.kedge.launcher;

import io.kedge.cloud.nodes.NodeAccess;
import io.kedge.kafka.local.LocalKafkaCluster;
import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.authorization.NodeSignatures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * {@code kedge local --secure}: the all-in-one as production runs it. Kafka authenticates every
 * client on a SASL listener and authorizes with KRaft's StandardAuthorizer; the cloud logs in as
 * the super user {@code kedge-cloud}; each node gets its own SCRAM user, ACLs and upstream key
 * through the same path as {@code kedge node add} (its join file is kept in {@code dir}); the cloud
 * checks node signatures and node authorization. Secrets live in {@code dir}, owner-only.
 */
final class LocalSecurity {
  static final String CLOUD_USER = "kedge-cloud";

  private final Path dir;
  private final String cloudPassword;
  private final byte[] nodeKeySecret;

  private LocalSecurity(Path dir, String cloudPassword, byte[] nodeKeySecret) {
    this.dir = dir;
    this.cloudPassword = cloudPassword;
    this.nodeKeySecret = nodeKeySecret;
  }

  /** The secrets of {@code dir}, made on first use. */
  static LocalSecurity in(Path dir) {
    try {
      Files.createDirectories(dir);
      Path secretFile = dir.resolve("node-key-secret");
      if (!Files.exists(secretFile)) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        writeSecret(secretFile, NodeSignatures.encode(secret) + "\n");
      }
      byte[] secret = NodeSignatures.decode(Files.readString(secretFile));
      byte[] password = new byte[24];
      new SecureRandom().nextBytes(password);
      LocalSecurity security =
          new LocalSecurity(
              dir, Base64.getUrlEncoder().withoutPadding().encodeToString(password), secret);
      security.writeCloudProperties();
      return security;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep kedge local's secrets in " + dir, e);
    }
  }

  /** The broker: the SASL listener on {@code saslPort}, the authorizer, the cloud's user. */
  LocalKafkaCluster.Builder cluster(LocalKafkaCluster.Builder builder, int saslPort) {
    return builder
        .saslPlainListener("SASL", saslPort, Map.of(CLOUD_USER, cloudPassword))
        .config("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
        // ANONYMOUS: the brokers' own loopback listener, which no edge node reaches
        .config("super.users", "User:ANONYMOUS;User:" + CLOUD_USER);
  }

  /** The cloud's Kafka client settings. */
  Map<String, Object> cloudClient() {
    return new HashMap<>(LocalKafkaCluster.saslPlainClient(CLOUD_USER, cloudPassword));
  }

  byte[] nodeKeySecret() {
    return nodeKeySecret.clone();
  }

  /** The secret node keys derive from, for {@code kedge node add --node-key-secret-file}. */
  Path nodeKeySecretFile() {
    return dir.resolve("node-key-secret");
  }

  /** The cloud's client settings as a file, for {@code kedge apply --kafka-client-properties}. */
  Path cloudProperties() {
    return dir.resolve("cloud.properties");
  }

  /**
   * Adds {@code node} as {@code kedge node add} does, writes its join file and stores its secrets
   * for its edge configuration.
   */
  JoinFile.Secrets join(String node, String bootstrap, KedgeTopics topics) {
    JoinFile join;
    Map<String, Object> admin = cloudClient();
    admin.put("bootstrap.servers", bootstrap);
    try (Admin client = Admin.create(admin)) {
      NodeAccess.Credentials credentials =
          new NodeAccess(client, topics, Duration.ofSeconds(30)).add(node);
      join =
          new JoinFile(
              node,
              bootstrap,
              topics.prefix(),
              credentials.clientSettings(Map.of("security.protocol", "SASL_PLAINTEXT")),
              NodeSignatures.encode(NodeSignatures.nodeKey(nodeKeySecret, node)),
              0);
    }
    join.write(joinFile(node));
    return join.store(dir.resolve(node));
  }

  Path joinFile(String node) {
    return dir.resolve(node + ".join.yaml");
  }

  private void writeCloudProperties() throws IOException {
    StringBuilder text = new StringBuilder("# kedge local --secure: the cloud's Kafka login\n");
    LocalKafkaCluster.saslPlainClient(CLOUD_USER, cloudPassword)
        .forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    writeSecret(cloudProperties(), text.toString());
  }

  private static void writeSecret(Path file, String content) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }
}
