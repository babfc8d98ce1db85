package io.kedge.cloud.admission;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook's TLS identity: a PEM certificate chain and PKCS#8 private key (RSA or EC), as
 * cert-manager and {@code kubectl create secret tls} produce them, or, for development only, a
 * self-signed certificate made once with the JDK's {@code keytool} and kept in the data directory.
 */
public final class TlsMaterial {
  private static final Logger LOG = LoggerFactory.getLogger(TlsMaterial.class);
  private static final char[] STORE_PASSWORD = "kedge-dev".toCharArray();

  private TlsMaterial() {}

  /** An SSL context serving the PEM {@code certFile} and {@code keyFile}. */
  public static SSLContext fromPem(Path certFile, Path keyFile) {
    try {
      List<Certificate> chain = new ArrayList<>();
      try (InputStream in = Files.newInputStream(certFile)) {
        chain.addAll(CertificateFactory.getInstance("X.509").generateCertificates(in));
      }
      if (chain.isEmpty()) {
        throw new IllegalArgumentException("no certificate in " + certFile);
      }
      PrivateKey key = privateKey(keyFile);
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("webhook", key, STORE_PASSWORD, chain.toArray(Certificate[]::new));
      return context(store);
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
            "webhook",
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
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, STORE_PASSWORD);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    return context;
  }
}
