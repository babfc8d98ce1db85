package io.kedge.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kedge.runtime.config.ConfigProblem;
import io.kedge.runtime.config.InvalidConfigException;
import io.kedge.schemas.authorization.NodeSignatures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What an edge node needs to join: its name, where Kafka is and how to log in there as the node,
 * the topic prefix, and the node's upstream key. {@code kedge node add} writes it (readable by its
 * owner only: it holds the node's password and key); {@code kedge edge --join FILE} starts from it,
 * keeping the secrets in files of the node's data directory.
 *
 * <pre>
 * apiVersion: kedge.io/v1
 * kind: NodeJoin
 * node: edge-7
 * kafka:
 *   bootstrap: kafka.example.com:9093
 *   topicPrefix: kedge
 *   client: {security.protocol: SASL_SSL, sasl.mechanism: SCRAM-SHA-512, sasl.jaas.config: ...}
 * nodeKey: base64
 * nodeKeyGeneration: 2
 * </pre>
 *
 * <p>{@code nodeKeyGeneration} (0 when absent) says which generation of the node's key {@code
 * nodeKey} is: each {@code kedge node add} of a node gives it a new one and revokes the older.
 */
record JoinFile(
    String node,
    String bootstrap,
    String topicPrefix,
    Map<String, String> client,
    String nodeKey,
    long nodeKeyGeneration) {
  static final String KIND = "NodeJoin";
  private static final YAMLMapper YAML =
      YAMLMapper.builder()
          .enable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .disable(
              com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .build();

  JoinFile {
    client = Map.copyOf(new TreeMap<>(client));
  }

  /** Writes this file, readable and writable by its owner only. */
  void write(Path file) {
    ObjectNode root = YAML.createObjectNode();
    root.put("apiVersion", "kedge.io/v1").put("kind", KIND).put("node", node);
    ObjectNode kafka = root.putObject("kafka");
    kafka.put("bootstrap", bootstrap).put("topicPrefix", topicPrefix);
    ObjectNode settings = kafka.putObject("client");
    new TreeMap<>(client).forEach(settings::put);
    root.put("nodeKey", nodeKey);
    root.put("nodeKeyGeneration", nodeKeyGeneration);
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Files.deleteIfExists(file);
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(
          file,
          "# kedge join file of node "
              + node
              + ": it holds the node's Kafka password and key; keep it secret\n"
              + YAML.writeValueAsString(root),
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the join file " + file, e);
    }
  }

  /**
   * Reads a join file.
   *
   * @throws InvalidConfigException naming {@code --join}, the file and what is missing or wrong
   */
  static JoinFile read(Path file) {
    JsonNode root;
    try {
      root = YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw problem(
          file, "must be a readable YAML join file (" + e.getMessage().split("\n")[0] + ")");
    }
    if (root == null || !KIND.equals(root.path("kind").asText())) {
      throw problem(file, "must be a join file (kind: " + KIND + ") as kedge node add writes");
    }
    Map<String, String> client = new TreeMap<>();
    root.path("kafka")
        .path("client")
        .properties()
        .forEach(e -> client.put(e.getKey(), e.getValue().asText()));
    JoinFile join =
        new JoinFile(
            text(root.path("node"), file, "node"),
            text(root.path("kafka").path("bootstrap"), file, "kafka.bootstrap"),
            text(root.path("kafka").path("topicPrefix"), file, "kafka.topicPrefix"),
            client,
            text(root.path("nodeKey"), file, "nodeKey"),
            generation(root.path("nodeKeyGeneration"), file));
    try {
      NodeSignatures.decode(join.nodeKey());
    } catch (IllegalArgumentException e) {
      throw problem(file, "its nodeKey " + e.getMessage());
    }
    return join;
  }

  /**
   * Writes the node's Kafka client settings and key as files in {@code dir} (owner-only), for
   * {@code kafka.client-properties} and {@code edge.node-key-file}.
   */
  Secrets store(Path dir) {
    try {
      Files.createDirectories(dir);
      Path properties = dir.resolve("kafka-client.properties");
      Properties props = new Properties();
      props.putAll(client);
      StringBuilder text = new StringBuilder();
      try (var out = new java.io.StringWriter()) {
        props.store(out, "node " + node + ", from its join file");
        text.append(out);
      }
      writeSecret(properties, text.toString());
      Path key = dir.resolve("node.key");
      writeSecret(key, nodeKey + "\n");
      return new Secrets(properties, key, nodeKeyGeneration);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store the join file's secrets in " + dir, e);
    }
  }

  /** Where {@link #store} put the secrets, and the key's generation. */
  record Secrets(Path clientProperties, Path nodeKey, long nodeKeyGeneration) {
    /** The edge settings that use them, said to come from {@code origin}. */
    io.kedge.runtime.config.ConfigSources applyTo(
        io.kedge.runtime.config.ConfigSources sources, String origin) {
      return sources
          .flag(
              io.kedge.edge.relay.EdgeConfig.KAFKA_CLIENT.name(),
              clientProperties.toString(),
              origin)
          .flag(io.kedge.edge.relay.EdgeConfig.NODE_KEY_FILE.name(), nodeKey.toString(), origin)
          .flag(
              io.kedge.edge.relay.EdgeConfig.NODE_KEY_GENERATION.name(), nodeKeyGeneration, origin);
    }
  }

  private static void writeSecret(Path file, String content) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }

  private static long generation(JsonNode value, Path file) {
    if (value.isMissingNode() || value.isNull()) {
      return 0;
    }
    if (!value.canConvertToLong() || !value.isIntegralNumber() || value.asLong() < 0) {
      throw problem(file, "its nodeKeyGeneration must be an integer >= 0, not " + value);
    }
    return value.asLong();
  }

  private static String text(JsonNode value, Path file, String field) {
    if (!value.isTextual() || value.asText().isBlank()) {
      throw problem(file, "needs " + field);
    }
    return value.asText();
  }

  private static InvalidConfigException problem(Path file, String rule) {
    return new InvalidConfigException(
        List.of(new ConfigProblem("--join", file.toString(), "", rule)));
  }
}
