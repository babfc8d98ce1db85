package io.kedge.schemas;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Node names are Kubernetes DNS subdomains (up to 253 characters); Kafka topic names are at most
 * 249 characters of {@code [a-zA-Z0-9._-]}. A node whose topic name fits keeps its name; one that
 * does not is truncated and suffixed with {@code -} and the first 16 hex digits of the SHA-256 of
 * the whole node name, so the mapping is deterministic and two long names never share a topic.
 */
public final class NodeNames {
  /** Kafka's limit on topic name length. */
  public static final int MAX_TOPIC_LENGTH = 249;

  /** Kubernetes' limit on a DNS subdomain. */
  public static final int MAX_NODE_NAME_LENGTH = 253;

  private static final int HASH_HEX_DIGITS = 16;

  /** A Kubernetes DNS-1123 subdomain, without its length limit. */
  public static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private NodeNames() {}

  /**
   * Checks that {@code node} is a DNS subdomain.
   *
   * @throws IllegalArgumentException naming the value and the rule it breaks
   */
  public static String requireValid(String node) {
    if (node == null || node.isEmpty()) {
      throw new IllegalArgumentException("node name must not be empty");
    }
    if (node.length() > MAX_NODE_NAME_LENGTH) {
      throw new IllegalArgumentException(
          "node name '"
              + abbreviate(node)
              + "' has "
              + node.length()
              + " characters; a DNS subdomain has at most "
              + MAX_NODE_NAME_LENGTH);
    }
    if (!DNS_SUBDOMAIN.matcher(node).matches()) {
      throw new IllegalArgumentException(
          "node name '"
              + abbreviate(node)
              + "' is not a DNS subdomain: lower-case letters, digits, '-' and '.', starting and"
              + " ending with a letter or digit");
    }
    return node;
  }

  /** True when {@code node} is a DNS subdomain of at most 253 characters. */
  public static boolean isValid(String node) {
    return node != null
        && !node.isEmpty()
        && node.length() <= MAX_NODE_NAME_LENGTH
        && DNS_SUBDOMAIN.matcher(node).matches();
  }

  /** The topic of {@code node} under {@code topicPrefix} (e.g. {@code kedge.node.edge-1}). */
  public static String topicFor(String topicPrefix, String node) {
    requireValid(node);
    String head = topicPrefix + ".node.";
    if (head.length() + node.length() <= MAX_TOPIC_LENGTH) {
      return head + node;
    }
    int keep = MAX_TOPIC_LENGTH - head.length() - 1 - HASH_HEX_DIGITS;
    if (keep < 1) {
      throw new IllegalArgumentException(
          "topic prefix '" + topicPrefix + "' is too long to leave room for node names");
    }
    String truncated = node.substring(0, keep);
    return head + truncated + "-" + sha256Hex(node).substring(0, HASH_HEX_DIGITS);
  }

  private static String sha256Hex(String s) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }
}
