package io.kedge.runtime.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS identities in every form users bring: RSA keys in PKCS#1 (cert-manager's default) and PKCS#8,
 * EC keys in SEC1 and PKCS#8, a leaf certificate with its intermediate CA; each served in a real
 * handshake that a client trusting only the root completes.
 */
class TlsMaterialTest {
  @TempDir Path dir;

  private record Ca(KeyPair keys, X509Certificate certificate) {}

  @Test
  void keysInEveryFormatServeAChainAClientTrustingTheRootAccepts() throws Exception {
    Ca root = ca("kedge test root", null);
    Ca intermediate = ca("kedge test intermediate", root);
    for (String format : List.of("pkcs1-rsa", "pkcs8-rsa", "sec1-ec", "pkcs8-ec")) {
      KeyPair keys = format.endsWith("rsa") ? rsa() : format.startsWith("sec1") ? sec1Ec() : ec();
      X509Certificate leaf = issue(intermediate, keys, "edge-1.example.com");
      Path cert = dir.resolve(format + ".crt");
      Path key = dir.resolve(format + ".key");
      Files.writeString(cert, pem(leaf) + pem(intermediate.certificate()));
      Files.writeString(key, format.startsWith("pkcs8") ? pkcs8(keys) : traditional(keys));
      assertThat(Files.readString(key))
          .as(format)
          .contains(
              switch (format) {
                case "pkcs1-rsa" -> "BEGIN RSA PRIVATE KEY";
                case "sec1-ec" -> "BEGIN EC PRIVATE KEY";
                default -> "BEGIN PRIVATE KEY";
              });

      List<Certificate> presented = handshake(TlsMaterial.fromPem(cert, key), root.certificate());
      assertThat(presented).as(format).hasSize(2);
      assertThat(((X509Certificate) presented.get(0)).getSubjectX500Principal().getName())
          .isEqualTo("CN=edge-1.example.com");
    }
  }

  @Test
  void keysOpensslWritesAreRead() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/openssl")), "SKIPPED: no /usr/bin/openssl here");
    Path rsa1 = dir.resolve("rsa1.key");
    openssl("genrsa", "-traditional", "-out", rsa1.toString(), "2048");
    Path ecParams = dir.resolve("ec.key");
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", ecParams.toString());
    Path ed = dir.resolve("ed25519.key");
    openssl("genpkey", "-algorithm", "ed25519", "-out", ed.toString());
    assertThat(Files.readString(rsa1)).contains("BEGIN RSA PRIVATE KEY");
    assertThat(Files.readString(ecParams)).contains("BEGIN EC PARAMETERS", "BEGIN EC PRIVATE KEY");
    assertThat(TlsMaterial.readPrivateKey(rsa1).getAlgorithm()).isEqualTo("RSA");
    assertThat(TlsMaterial.readPrivateKey(ecParams).getAlgorithm()).isEqualTo("EC");
    assertThat(TlsMaterial.readPrivateKey(ed).getAlgorithm()).isIn("Ed25519", "EdDSA");

    Path encrypted = dir.resolve("encrypted.key");
    openssl(
        "genpkey",
        "-algorithm",
        "RSA",
        "-aes256",
        "-pass",
        "pass:secret",
        "-out",
        encrypted.toString());
    assertThatThrownBy(() -> TlsMaterial.readPrivateKey(encrypted))
        .hasMessageContaining("holds an encrypted private key");
  }

  @Test
  void aFileWithoutAKeyIsNamedInTheError() throws Exception {
    Path notAKey = dir.resolve("cert-only.pem");
    Ca root = ca("kedge test root", null);
    Files.writeString(notAKey, pem(root.certificate()));
    assertThatThrownBy(() -> TlsMaterial.readPrivateKey(notAKey))
        .hasMessageContaining(notAKey + " holds no PEM private key");
  }

  @Test
  void aSelfSignedIdentityIsMadeInProcess() throws Exception {
    Path cert = dir.resolve("self.crt");
    Path key = dir.resolve("self.key");
    TlsMaterial.writeSelfSignedPem(cert, key, List.of("localhost", "127.0.0.1"));
    X509Certificate self = TlsMaterial.readCertificates(cert).get(0);
    assertThat(
            self.getSubjectAlternativeNames().stream().map(entry -> (Object) entry.get(1)).toList())
        .containsExactly("localhost", "127.0.0.1");
    assertThat(handshake(TlsMaterial.fromPem(cert, key), self)).hasSize(1);
  }

  private static List<Certificate> handshake(SSLContext server, X509Certificate trusted)
      throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("root", trusted);
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, factory.getTrustManagers(), null);
    try (SSLServerSocket listening =
        (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0)) {
      CompletableFuture<Void> served =
          CompletableFuture.runAsync(
              () -> {
                try (SSLSocket accepted = (SSLSocket) listening.accept()) {
                  accepted.startHandshake();
                  accepted.getOutputStream().write(1);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      try (SSLSocket socket =
          (SSLSocket)
              client.getSocketFactory().createSocket("127.0.0.1", listening.getLocalPort())) {
        socket.startHandshake();
        assertThat(socket.getInputStream().read()).isEqualTo(1);
        served.get(10, TimeUnit.SECONDS);
        return List.of(socket.getSession().getPeerCertificates());
      }
    }
  }

  private static void openssl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("/usr/bin/openssl"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
  }

  private static KeyPair rsa() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private static KeyPair ec() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  /**
   * An EC key whose SEC1 encoding carries its curve and public key, as openssl writes one (the
   * JDK's own EC keys would be written without them).
   */
  private static KeyPair sec1Ec() throws Exception {
    KeyPairGenerator generator =
        KeyPairGenerator.getInstance(
            "EC", new org.bouncycastle.jce.provider.BouncyCastleProvider());
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static Ca ca(String name, Ca issuer) throws Exception {
    KeyPair keys = ec();
    X500Name subject = new X500Name("CN=" + name);
    Instant now = Instant.now();
    X509Certificate certificate =
        new JcaX509CertificateConverter()
            .getCertificate(
                new JcaX509v3CertificateBuilder(
                        issuer == null
                            ? subject
                            : X500Name.getInstance(
                                issuer.certificate().getSubjectX500Principal().getEncoded()),
                        BigInteger.valueOf(now.toEpochMilli()),
                        Date.from(now.minus(Duration.ofMinutes(1))),
                        Date.from(now.plus(Duration.ofDays(1))),
                        subject,
                        keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .build(
                        new JcaContentSignerBuilder("SHA256withECDSA")
                            .build((issuer == null ? keys : issuer.keys()).getPrivate())));
    return new Ca(keys, certificate);
  }

  private static X509Certificate issue(Ca issuer, KeyPair keys, String host) throws Exception {
    Instant now = Instant.now();
    return new JcaX509CertificateConverter()
        .getCertificate(
            new JcaX509v3CertificateBuilder(
                    X500Name.getInstance(
                        issuer.certificate().getSubjectX500Principal().getEncoded()),
                    BigInteger.valueOf(now.toEpochMilli() + 1),
                    Date.from(now.minus(Duration.ofMinutes(1))),
                    Date.from(now.plus(Duration.ofDays(1))),
                    new X500Name("CN=" + host),
                    keys.getPublic())
                .addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, host)))
                .build(
                    new JcaContentSignerBuilder("SHA256withECDSA")
                        .build(issuer.keys().getPrivate())));
  }

  private static String pem(Object object) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }

  /** PKCS#1 for RSA, SEC1 for EC: what openssl calls the traditional formats. */
  private static String traditional(KeyPair keys) throws Exception {
    return pem(keys);
  }

  private static String pkcs8(KeyPair keys) throws Exception {
    return pem(new JcaPKCS8Generator(keys.getPrivate(), null));
  }
}
