package io.kedge.schemas.authorization;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Who wrote an upstream record: each edge node signs what it sends with its own key (HMAC-SHA256
 * over the record key, the value and its {@code ce_*} headers), and names itself in {@value
 * #NODE_HEADER}. A node's key is derived from the cloud's secret and the node's name, so the cloud
 * keeps one secret for any number of nodes, and a node's key proves that node only: a node that
 * signs as another, or puts another node's name in what it signs, is found out.
 */
public final class NodeSignatures {
  /** The node that signed the record. */
  public static final String NODE_HEADER = "kedge_node";

  /** The record's signature: HMAC-SHA256, 32 bytes. */
  public static final String SIGNATURE_HEADER = "kedge_sig";

  private static final String ALGORITHM = "HmacSHA256";
  private static final byte[] DERIVATION = "kedge node key v1\0".getBytes(StandardCharsets.UTF_8);

  /** The least secret length: 256 bits, HMAC-SHA256's own strength. */
  public static final int MIN_KEY_BYTES = 32;

  private NodeSignatures() {}

  /** Node {@code node}'s key, derived from the cloud's {@code secret}. */
  public static byte[] nodeKey(byte[] secret, String node) {
    Mac mac = mac(secret);
    mac.update(DERIVATION);
    return mac.doFinal(node.getBytes(StandardCharsets.UTF_8));
  }

  /** A key as written in key files and join files: base64. */
  public static String encode(byte[] key) {
    return Base64.getEncoder().encodeToString(key);
  }

  /**
   * Reads a key from a key file's text.
   *
   * @throws IllegalArgumentException when it is not base64 of at least {@value #MIN_KEY_BYTES}
   *     bytes
   */
  public static byte[] decode(String text) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(text.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("must be base64 (" + e.getMessage() + ")");
    }
    if (key.length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException(
          "must hold at least " + MIN_KEY_BYTES + " bytes, not " + key.length);
    }
    return key;
  }

  /** Signs a record as {@code node}: adds {@value #NODE_HEADER} and {@value #SIGNATURE_HEADER}. */
  public static void sign(String node, byte[] nodeKey, String key, byte[] value, Headers headers) {
    headers.remove(NODE_HEADER);
    headers.remove(SIGNATURE_HEADER);
    headers.add(NODE_HEADER, node.getBytes(StandardCharsets.UTF_8));
    headers.add(SIGNATURE_HEADER, signature(nodeKey, key, value, headers));
  }

  /** What a record's signature says about its writer. */
  public sealed interface Verdict {}

  /** Signed by {@code node}. */
  public record Signed(String node) implements Verdict {}

  /** Not signed, or signed wrongly; {@code claimed} is the node it names, if any. */
  public record Refused(String reason, String claimed, String detail) implements Verdict {}

  /** Checks records against the keys derived from one secret, keeping derived keys. */
  public static final class Verifier {
    private final byte[] secret;
    private final Map<String, byte[]> keys = new ConcurrentHashMap<>();

    public Verifier(byte[] secret) {
      this.secret = secret.clone();
    }

    public Verdict verify(String key, byte[] value, Headers headers) {
      Header node = headers.lastHeader(NODE_HEADER);
      Header signature = headers.lastHeader(SIGNATURE_HEADER);
      if (node == null || signature == null) {
        return new Refused(
            "unsigned", node == null ? "" : text(node), "the record carries no node signature");
      }
      String signer = text(node);
      byte[] expected =
          signature(keys.computeIfAbsent(signer, n -> nodeKey(secret, n)), key, value, headers);
      if (!MessageDigest.isEqual(expected, signature.value())) {
        return new Refused("bad-signature", signer, "the signature is not node " + signer + "'s");
      }
      return new Signed(signer);
    }
  }

  private static byte[] signature(byte[] nodeKey, String key, byte[] value, Headers headers) {
    Mac mac = mac(nodeKey);
    update(mac, key == null ? new byte[0] : key.getBytes(StandardCharsets.UTF_8));
    update(mac, value == null ? new byte[0] : value);
    List<Header> signed = new ArrayList<>();
    for (Header header : headers) {
      if (header.key().startsWith("ce_") || header.key().equals(NODE_HEADER)) {
        signed.add(header);
      }
    }
    signed.sort(Comparator.comparing(Header::key));
    for (Header header : signed) {
      update(mac, header.key().getBytes(StandardCharsets.UTF_8));
      update(mac, header.value() == null ? new byte[0] : header.value());
    }
    return mac.doFinal();
  }

  /** Length-prefixed, so no two different records sign the same bytes. */
  private static void update(Mac mac, byte[] bytes) {
    mac.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
    mac.update(bytes);
  }

  private static Mac mac(byte[] key) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no " + ALGORITHM, e);
    }
  }

  private static String text(Header header) {
    return header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
  }
}
