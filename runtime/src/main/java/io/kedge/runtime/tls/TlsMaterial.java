package io.kedge.runtime.tls;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's TLS identity (the admission webhook's, the edge API's): a PEM certificate chain and
 * private key, as cert-manager, {@code kubectl create secret tls} and openssl write them (RSA keys
 * in PKCS#1 or PKCS#8, EC keys in SEC1 or PKCS#8, Ed25519 in PKCS#8; read with BouncyCastle's PEM
 * reader), optionally with the CA certificates client certificates must chain to; or, for
 * development only, a self-signed certificate made in process.
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

  /** The PEM private key (RSA, EC or Ed25519; PKCS#1, SEC1 or PKCS#8) of a file. */
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

  /** A new EC P-256 key and a self-signed certificate for {@code hosts}, valid 825 days. */
  private static void generate(Path store, List<String> hosts)
      throws IOException, GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = generator.generateKeyPair();
    X500Name name = new X500Name("CN=" + hosts.get(0) + ",O=kedge development");
    Instant now = Instant.now();
    GeneralName[] alternatives =
        hosts.stream()
            .map(
                host ->
                    new GeneralName(
                        host.matches("[0-9.]+|[0-9a-fA-F:]+")
                            ? GeneralName.iPAddress
                            : GeneralName.dNSName,
                        host))
            .toArray(GeneralName[]::new);
    X509Certificate certificate;
    try {
      certificate =
          new JcaX509CertificateConverter()
              .getCertificate(
                  new JcaX509v3CertificateBuilder(
                          name,
                          new BigInteger(64, new SecureRandom()),
                          Date.from(now.minus(Duration.ofMinutes(5))),
                          Date.from(now.plus(Duration.ofDays(825))),
                          name,
                          pair.getPublic())
                      .addExtension(
                          Extension.subjectAlternativeName, false, new GeneralNames(alternatives))
                      .build(
                          new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot sign the certificate: " + e.getMessage(), e);
    }
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    keyStore.load(null, null);
    keyStore.setKeyEntry(ALIAS, pair.getPrivate(), STORE_PASSWORD, new Certificate[] {certificate});
    try (var out = Files.newOutputStream(store)) {
      keyStore.store(out, STORE_PASSWORD);
    }
  }

  /**
   * The first private key of a PEM file, whatever its encoding: {@code PRIVATE KEY} (PKCS#8),
   * {@code RSA PRIVATE KEY} (PKCS#1, cert-manager's default), {@code EC PRIVATE KEY} (SEC1, also
   * after an {@code EC PARAMETERS} block).
   */
  private static PrivateKey privateKey(Path keyFile) throws IOException, GeneralSecurityException {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try (PEMParser parser =
        new PEMParser(Files.newBufferedReader(keyFile, StandardCharsets.US_ASCII))) {
      for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
        if (item instanceof PEMKeyPair pair) {
          // the private part alone: SEC1 keys may leave out their optional public key
          return converter.getPrivateKey(pair.getPrivateKeyInfo());
        }
        if (item instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (item instanceof PEMEncryptedKeyPair || item instanceof PKCS8EncryptedPrivateKeyInfo) {
          throw new IllegalArgumentException(
              keyFile
                  + " holds an encrypted private key; give the key unencrypted, e.g."
                  + " 'openssl pkey -in KEY -out KEY.plain'");
        }
      }
    }
    throw new IllegalArgumentException(
        keyFile
            + " holds no PEM private key (BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN EC"
            + " PRIVATE KEY)");
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
