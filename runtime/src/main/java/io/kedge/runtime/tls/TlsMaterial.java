package io.kedge.runtime.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's TLS identity (the admission webhook's, the edge API's): a PEM certificate chain and
 * PKCS#8 private key (RSA or EC), as cert-manager and {@code kubectl create secret tls} produce
 * them, optionally with the CA certificates client certificates must chain to; or, for development
 * only, a self-signed certificate made once with the JDK's {@code keytool}.
 */
public final class TlsMaterial {
  private static final Logger LOG = LoggerFactory.getLogger(TlsMaterial.class);
  private static final char[] STORE_PASSWORD = "kedge-dev".toCharArray();
  private static final String ALIAS = "webhook"; // kept: existing self-signed stores use it

  private TlsMaterial() {}

  /** An SSL context serving the PEM {@code certFile} and {@code keyFile}. */
  public static SSLContext fromPem(Path certFile, Path keyFile) {
    return fromPem(certFile, keyFile, null);
  }

  /**
   * An SSL context serving the PEM {@code certFile} and {@code keyFile} that trusts client
   * certificates issued by the CA certificates in {@code clientCaFile} (null: no client
   * certificates).
   */
  public static SSLContext fromPem(Path certFile, Path keyFile, Path clientCaFile) {
    try {
      List<Certificate> chain = certificates(certFile);
      PrivateKey key = privateKey(keyFile);
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("server", key, STORE_PASSWORD, chain.toArray(Certificate[]::new));
      TrustManager[] trust = null;
      if (clientCaFile != null) {
        KeyStore cas = KeyStore.getInstance("PKCS12");
        cas.load(null, null);
        int i = 0;
        for (Certificate ca : certificates(clientCaFile)) {
          cas.setCertificateEntry("client-ca-" + i++, ca);
        }
        TrustManagerFactory factory =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(cas);
        trust = factory.getTrustManagers();
      }
      return context(store, trust);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot use TLS certificate " + certFile + " with key " + keyFile + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * A self-signed identity for {@code hosts} (DNS names or IPs), created in {@code dir} on first
   * use. Kubernetes only trusts it when its certificate is the webhook's {@code caBundle}.
   */
  public static SSLContext selfSigned(Path dir, List<String> hosts) {
    Path store = dir.resolve("webhook-self-signed.p12");
    try {
      if (!Files.exists(store)) {
        Files.createDirectories(dir);
        generate(store, hosts);
        LOG.warn(
            "webhook TLS: generated a self-signed certificate in {} for {}; for development only,"
                + " set webhook.tls-cert and webhook.tls-key in production",
            store,
            hosts);
      }
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(store)) {
        keyStore.load(in, STORE_PASSWORD);
      }
      return context(keyStore);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(
          "cannot create or read the self-signed webhook certificate " + store + ": " + e, e);
    }
  }

  /**
   * Writes a new self-signed certificate for {@code hosts} and its key as PEM files (for
   * development and tests: the certificate is its own CA, so it can be given as a CA file).
   */
  public static void writeSelfSignedPem(Path certPem, Path keyPem, List<String> hosts) {
    try {
      Path dir = Files.createTempDirectory("kedge-tls");
      Path store = dir.resolve("identity.p12");
      try {
        generate(store, hosts);
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
          keyStore.load(in, STORE_PASSWORD);
        }
        Certificate cert = keyStore.getCertificate(ALIAS);
        PrivateKey key = (PrivateKey) keyStore.getKey(ALIAS, STORE_PASSWORD);
        Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
      } finally {
        Files.deleteIfExists(store);
        Files.deleteIfExists(dir);
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot create a self-signed certificate: " + e, e);
    }
  }

  /** The certificates of a PEM file, for other uses than TLS (OPC UA application identities). */
  public static List<java.security.cert.X509Certificate> readCertificates(Path file) {
    try {
      return certificates(file).stream().map(c -> (java.security.cert.X509Certificate) c).toList();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read certificates from " + file + ": " + e, e);
    }
  }

  /** The PKCS#8 PEM private key (RSA, EC or Ed25519) of a file. */
  public static PrivateKey readPrivateKey(Path file) {
    try {
      return privateKey(file);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read a private key from " + file + ": " + e, e);
    }
  }

  /** PEM text of DER bytes, e.g. type CERTIFICATE or PRIVATE KEY. */
  public static String toPem(String type, byte[] der) {
    return pem(type, der);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static List<Certificate> certificates(Path file)
      throws IOException, GeneralSecurityException {
    List<Certificate> certificates = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      certificates.addAll(CertificateFactory.getInstance("X.509").generateCertificates(in));
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("no certificate in " + file);
    }
    return certificates;
  }

  private static void generate(Path store, List<String> hosts) throws IOException {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    StringBuilder san = new StringBuilder();
    for (String host : hosts) {
      san.append(san.length() == 0 ? "SAN=" : ",")
          .append(host.matches("[0-9.]+|[0-9a-fA-F:]+") ? "ip:" : "dns:")
          .append(host);
    }
    List<String> command =
        List.of(
            keytool.toString(),
            "-genkeypair",
            "-alias",
            ALIAS,
            "-keyalg",
            "EC",
            "-groupname",
            "secp256r1",
            "-sigalg",
            "SHA256withECDSA",
            "-validity",
            "825",
            "-dname",
            "CN=" + hosts.get(0) + ",O=kedge development",
            "-ext",
            san.toString(),
            "-storetype",
            "PKCS12",
            "-keystore",
            store.toString(),
            "-storepass",
            new String(STORE_PASSWORD),
            "-keypass",
            new String(STORE_PASSWORD));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IOException("keytool failed: " + output.trim());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while keytool ran", e);
    }
  }

  private static PrivateKey privateKey(Path keyFile) throws IOException, GeneralSecurityException {
    String pem = Files.readString(keyFile, StandardCharsets.US_ASCII);
    if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
      throw new IllegalArgumentException(
          keyFile
              + " is not a PKCS#8 PEM key (BEGIN PRIVATE KEY); convert it with"
              + " 'openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8'");
    }
    String base64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64));
    GeneralSecurityException last = null;
    for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw last;
  }

  private static SSLContext context(KeyStore store) throws GeneralSecurityException {
    return context(store, null);
  }

  private static SSLContext context(KeyStore store, TrustManager[] trust)
      throws GeneralSecurityException {
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, STORE_PASSWORD);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), trust, null);
    return context;
  }
}
