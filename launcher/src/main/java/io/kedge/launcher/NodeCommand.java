package io.kedge.launcher;

import io.kedge.cloud.nodes.NodeAccess;
import io.kedge.cloud.nodes.NodeKeyGenerations;
import io.kedge.runtime.config.InvalidConfigException;
import io.kedge.runtime.config.KafkaClientProperties;
import io.kedge.runtime.config.SecretFiles;
import io.kedge.schemas.authorization.NodeSignatures;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kedge node add|remove}: give an edge node its identity and access, or take them. */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = "Add an edge node (its Kafka user, ACLs and key, in a join file) or remove one.",
    subcommands = {NodeCommand.Add.class, NodeCommand.Remove.class})
public final class NodeCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code kedge node add NAME}. */
  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description =
          "Create node NAME's Kafka user (SCRAM-SHA-512) and ACLs (read its topic, write upstream)"
              + " with the Admin API, derive a new generation of its upstream key (the cloud"
              + " refuses the node's older keys from then on), and write its join file for"
              + " 'kedge edge --join FILE'. Adding a node again gives it a new password and key.")
  static final class Add implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "The node's name.")
    String node;

    @CommandLine.Mixin KafkaOptions kafka;

    @Option(
        names = "--node-key-secret-file",
        required = true,
        paramLabel = "FILE",
        description = "The cloud's secret node keys derive from (router.node-key-secret-file).")
    String secretFile;

    @Option(
        names = "--node-kafka",
        paramLabel = "HOST:PORT",
        description = "Bootstrap servers the node uses (default: --kafka).")
    String nodeKafka;

    @Option(
        names = "--node-client-properties",
        paramLabel = "FILE",
        defaultValue = "",
        description =
            "Kafka client settings the node starts from, e.g. its TLS truststore (default:"
                + " security.protocol=SASL_SSL).")
    String nodeClientProperties;

    @Option(
        names = {"-o", "--out"},
        paramLabel = "FILE",
        description = "Where to write the join file (default: NAME.join.yaml).")
    Path out;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      PrintWriter said = spec.commandLine().getOut();
      byte[] secret;
      Map<String, String> base = new TreeMap<>();
      try {
        secret = SecretFiles.read("--node-key-secret-file", secretFile, NodeSignatures::decode);
        KafkaClientProperties.load(nodeClientProperties)
            .forEach((k, v) -> base.put(k, String.valueOf(v)));
      } catch (InvalidConfigException e) {
        err.println("kedge: " + e.getMessage());
        return KedgeCommand.CONFIG_ERROR;
      }
      Path file = out != null ? out : Path.of(node + ".join.yaml");
      long generation;
      try (Admin admin = Admin.create(kafka.adminSettings())) {
        NodeAccess.Credentials credentials =
            new NodeAccess(admin, kafka.topics(), kafka.timeout()).add(node);
        generation = raiseKeyGeneration(admin, kafka, node);
        new JoinFile(
                node,
                nodeKafka != null ? nodeKafka : kafka.kafka,
                kafka.prefix,
                credentials.clientSettings(base),
                NodeSignatures.encode(NodeSignatures.nodeKey(secret, node, generation)),
                generation)
            .write(file);
      } catch (RuntimeException e) {
        err.println("kedge: node " + node + " not added: " + e.getMessage());
        return 1;
      }
      said.println(
          "node "
              + node
              + " added: Kafka user "
              + node
              + " ("
              + NodeAccess.MECHANISM
              + "), ACLs to read "
              + kafka.topics().node(node).name()
              + " and write "
              + kafka.topics().upstream().name()
              + ", upstream key generation "
              + generation
              + " (its older keys are refused)");
      said.println("join file " + file + " (secret): on the node run  kedge edge --join " + file);
      said.flush();
      return 0;
    }
  }

  /**
   * Gives {@code node} a new upstream key generation in the node key topic (created if need be) and
   * returns it.
   */
  static long raiseKeyGeneration(Admin admin, KafkaOptions kafka, String node) {
    NodeKeyGenerations.ensureTopic(admin, kafka.topics(), kafka.timeout());
    return NodeKeyGenerations.raise(
        kafka.adminSettings(), kafka.topics().nodeKeys().name(), node, kafka.timeout());
  }

  /** {@code kedge node remove NAME}. */
  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description =
          "Revoke node NAME: delete its ACLs and Kafka user (its requests are refused from the"
              + " next one on) and its topic, and retire its upstream key.")
  static final class Remove implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "The node's name.")
    String node;

    @CommandLine.Mixin KafkaOptions kafka;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      List<String> removed;
      try (Admin admin = Admin.create(kafka.adminSettings())) {
        removed =
            new java.util.ArrayList<>(
                new NodeAccess(admin, kafka.topics(), kafka.timeout()).remove(node));
        removed.add(
            "upstream key generation " + raiseKeyGeneration(admin, kafka, node) + " recorded");
      } catch (InvalidConfigException e) {
        err.println("kedge: " + e.getMessage());
        return KedgeCommand.CONFIG_ERROR;
      } catch (RuntimeException e) {
        err.println("kedge: node " + node + " not removed: " + e.getMessage());
        return 1;
      }
      PrintWriter said = spec.commandLine().getOut();
      said.println("node " + node + " removed: " + String.join(", ", removed));
      said.println(
          "its Node object stays until you delete it (kedge delete, or kubectl delete node "
              + node
              + " in Kubernetes mode)");
      said.flush();
      return 0;
    }
  }
}
