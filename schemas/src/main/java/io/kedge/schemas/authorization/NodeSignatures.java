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
 *
 * <p>A node's key has a GENERATION ({@value #GENERATION_HEADER}, 0 when absent): giving a node a
 * new key ({@code kedge node add}) raises it, and the cloud then refuses records signed with an
 * older generation of that node's key, while every other node keeps its key.
 */
public final class NodeSignatures {
  /** The node that signed the record. */
  public static final String NODE_HEADER = "kedge_node";

  /** The record's signature: HMAC-SHA256, 32 bytes. */
  public static final String SIGNATURE_HEADER = "kedge_sig";

  /** The generation of the key that signed the record, in decimal; absent for generation 0. */
  public static final String GENERATION_HEADER = "kedge_key_gen";

  private static final String ALGORITHM = "HmacSHA256";
  private static final byte[] DERIVATION = "kedge node key v1\0".getBytes(StandardCharsets.UTF_8);
  private static final byte[] GENERATION_DERIVATION =
      "kedge node key v2\0".getBytes(StandardCharsets.UTF_8);

  /** The least secret length: 256 bits, HMAC-SHA256's own strength. */
  public static final int MIN_KEY_BYTES = 32;

  private NodeSignatures() {}

  /** Node {@code node}'s first key (generation 0), derived from the cloud's {@code secret}. */
  public static byte[] nodeKey(byte[] secret, String node) {
    return nodeKey(secret, node, 0);
  }

  /** Generation {@code generation} of node {@code node}'s key. */
  public static byte[] nodeKey(byte[] secret, String node, long generation) {
    if (generation < 0) {
      throw new IllegalArgumentException("a key generation is >= 0, not " + generation);
    }
    Mac mac = mac(secret);
    if (generation == 0) {
      mac.update(DERIVATION);
      return mac.doFinal(node.getBytes(StandardCharsets.UTF_8));
    }
    mac.update(GENERATION_DERIVATION);
    update(mac, node.getBytes(StandardCharsets.UTF_8));
    return mac.doFinal(Long.toString(generation).getBytes(StandardCharsets.UTF_8));
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

  /** Signs a record as {@code node} with its generation 0 key. */
  public static void sign(String node, byte[] nodeKey, String key, byte[] value, Headers headers) {
    sign(node, nodeKey, 0, key, value, headers);
  }

  /**
   * Signs a record as {@code node} with generation {@code generation} of its key: adds {@value
   * #NODE_HEADER}, {@value #GENERATION_HEADER} (unless 0) and {@value #SIGNATURE_HEADER}.
   */
  public static void sign(
      String node, byte[] nodeKey, long generation, String key, byte[] value, Headers headers) {
    headers.remove(NODE_HEADER);
    headers.remove(GENERATION_HEADER);
    headers.remove(SIGNATURE_HEADER);
    headers.add(NODE_HEADER, node.getBytes(StandardCharsets.UTF_8));
    if (generation != 0) {
      headers.add(GENERATION_HEADER, Long.toString(generation).getBytes(StandardCharsets.UTF_8));
    }
    headers.add(SIGNATURE_HEADER, signature(nodeKey, key, value, headers));
  }

  /** A node's key as the node holds it: the key and its generation. */
  public record NodeKey(byte[] key, long generation) {
    public NodeKey {
      key = key.clone();
      if (generation < 0) {
        throw new IllegalArgumentException("a key generation is >= 0, not " + generation);
      }
    }

    @Override
    public byte[] key() {
      return key.clone();
    }

    /** Signs a record as {@code node} with this key. */
    public void sign(String node, String recordKey, byte[] value, Headers headers) {
      NodeSignatures.sign(node, key, generation, recordKey, value, headers);
    }
  }

  /** The generation of each node's current key; older ones are refused. */
  @FunctionalInterface
  public interface Generations {
    /** Every node on its first key. */
    Generations NONE = node -> 0;

    /** The generation of {@code node}'s current key (0 until it is given a new one). */
    long current(String node);
  }

  /** What a record's signature says about its writer. */
  public sealed interface Verdict {}

  /** Signed by {@code node}. */
  public record Signed(String node) implements Verdict {}

  /** Not signed, or signed wrongly; {@code claimed} is the node it names, if any. */
  public record Refused(String reason, String claimed, String detail) implements Verdict {}

  /**
   * Checks records against the keys derived from one secret, keeping derived keys. A record signed
   * with a generation of its node's key older than {@link Generations#current} is refused; a newer
   * one is accepted, since only the holder of the secret can derive it.
   */
  public static final class Verifier {
    private final byte[] secret;
    private final Generations generations;
    private final Map<String, byte[]> keys = new ConcurrentHashMap<>();

    public Verifier(byte[] secret) {
      this(secret, Generations.NONE);
    }

    public Verifier(byte[] secret, Generations generations) {
      this.secret = secret.clone();
      this.generations = generations;
    }

    /** Derived keys kept: one per node and generation that signed a record verified here. */
    int keysHeld() {
      return keys.size();
    }

    public Verdict verify(String key, byte[] value, Headers headers) {
      Header node = headers.lastHeader(NODE_HEADER);
      Header signature = headers.lastHeader(SIGNATURE_HEADER);
      if (node == null || signature == null) {
        return new Refused(
            "unsigned", node == null ? "" : text(node), "the record carries no node signature");
      }
      String signer = text(node);
      Header generationHeader = headers.lastHeader(GENERATION_HEADER);
      long generation;
      try {
        generation = generationHeader == null ? 0 : Long.parseLong(text(generationHeader));
      } catch (NumberFormatException e) {
        generation = -1;
      }
      if (generation < 0) {
        return new Refused(
            "bad-signature",
            signer,
            "its key generation is not a number >= 0: '" + text(generationHeader) + "'");
      }
      // only keys that verified are kept: names and generations a sender makes up cost no memory
      String cacheKey = signer + "\0" + generation;
      byte[] nodeKey = keys.get(cacheKey);
      boolean cached = nodeKey != null;
      if (!cached) {
        nodeKey = nodeKey(secret, signer, generation);
      }
      if (!MessageDigest.isEqual(signature(nodeKey, key, value, headers), signature.value())) {
        return new Refused("bad-signature", signer, "the signature is not node " + signer + "'s");
      }
      if (!cached) {
        keys.put(cacheKey, nodeKey);
      }
      long current = generations.current(signer);
      if (generation < current) {
        return new Refused(
            "revoked-key",
            signer,
            "it is signed with generation "
                + generation
                + " of node "
                + signer
                + "'s key, which was replaced by generation "
                + current);
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
      if (header.key().startsWith("ce_")
          || header.key().equals(NODE_HEADER)
          || header.key().equals(GENERATION_HEADER)) {
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
