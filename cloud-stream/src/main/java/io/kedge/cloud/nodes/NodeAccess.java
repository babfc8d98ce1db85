package io.kedge.cloud.nodes;

import io.kedge.schemas.KedgeTopics;
import io.kedge.schemas.NodeNames;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.ResourceNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;

/**
 * A node's access to Kafka, made and revoked through Kafka's Admin API: a SCRAM-SHA-512 user named
 * after the node, and ACLs that let it read its own topic and write the upstream topic, nothing
 * else (the ACLs of docs/security.md). Removing a node deletes both, so its requests are refused
 * from the next one on, and deletes its topic.
 */
public final class NodeAccess {
  /** The SASL mechanism of node users. */
  public static final String MECHANISM = "SCRAM-SHA-512";

  private static final int ITERATIONS = 8192;

  private final Admin admin;
  private final KedgeTopics topics;
  private final long timeoutMs;

  public NodeAccess(Admin admin, KedgeTopics topics, java.time.Duration timeout) {
    this.admin = admin;
    this.topics = topics;
    this.timeoutMs = timeout.toMillis();
  }

  /** What a node logs in with. */
  public record Credentials(String user, String password) {
    /** Kafka client settings that log in as this user, on top of {@code base} (TLS settings). */
    public Map<String, String> clientSettings(Map<String, String> base) {
      Map<String, String> settings = new java.util.TreeMap<>(base);
      settings.putIfAbsent("security.protocol", "SASL_SSL");
      settings.put("sasl.mechanism", MECHANISM);
      settings.put(
          "sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
              + user
              + "\" password=\""
              + password
              + "\";");
      return settings;
    }
  }

  /**
   * Creates (or replaces) node {@code node}'s user with a new random password and its ACLs.
   *
   * @throws IllegalArgumentException for a name that is not a valid node name
   * @throws IllegalStateException when the brokers refuse (no SCRAM, no authorizer, no rights)
   */
  public Credentials add(String node) {
    NodeNames.requireValid(node);
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    List<UserScramCredentialAlteration> upsert =
        List.of(
            new UserScramCredentialUpsertion(
                node, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, ITERATIONS), password));
    await(admin.alterUserScramCredentials(upsert).all(), "create the SCRAM user " + node);
    await(admin.createAcls(acls(node)).all(), "create the ACLs of User:" + node);
    return new Credentials(node, password);
  }

  /**
   * Revokes node {@code node}: deletes its ACLs and SCRAM user (either may already be gone) and its
   * topic.
   *
   * @return what was removed, for the operator
   */
  public List<String> remove(String node) {
    NodeNames.requireValid(node);
    List<String> removed = new ArrayList<>();
    AclBindingFilter principal =
        new AclBindingFilter(
            ResourcePatternFilter.ANY,
            new AccessControlEntryFilter(
                "User:" + node, null, AclOperation.ANY, AclPermissionType.ANY));
    int acls =
        await(admin.deleteAcls(List.of(principal)).all(), "delete the ACLs of User:" + node).size();
    removed.add(acls + " ACLs of User:" + node);
    try {
      await(
          admin
              .alterUserScramCredentials(
                  List.of(new UserScramCredentialDeletion(node, ScramMechanism.SCRAM_SHA_512)))
              .all(),
          "delete the SCRAM user " + node);
      removed.add("SCRAM user " + node);
    } catch (IllegalStateException e) {
      if (!(e.getCause() instanceof ResourceNotFoundException)) {
        throw e;
      }
    }
    String topic = topics.node(node).name();
    try {
      await(admin.deleteTopics(List.of(topic)).all(), "delete topic " + topic);
      removed.add("topic " + topic + " (deletion scheduled)");
    } catch (IllegalStateException e) {
      if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
        throw e;
      }
    }
    return removed;
  }

  /** Read and Describe on the node's topic; Write and Describe on the upstream topic. */
  List<AclBinding> acls(String node) {
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

  private static AclBinding allow(String principal, String topic, AclOperation op) {
    return new AclBinding(
        new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
        new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW));
  }

  private <T> T await(org.apache.kafka.common.KafkaFuture<T> future, String what) {
    try {
      return future.get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "cannot " + what + ": no answer within " + timeoutMs + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while trying to " + what, e);
    }
  }
}
