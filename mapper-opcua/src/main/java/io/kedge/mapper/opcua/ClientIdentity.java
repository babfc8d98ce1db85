package io.kedge.mapper.opcua;

import io.kedge.runtime.tls.TlsMaterial;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.eclipse.milo.opcua.stack.core.security.CertificateValidator;
import org.eclipse.milo.opcua.stack.core.security.DefaultClientCertificateValidator;
import org.eclipse.milo.opcua.stack.core.security.MemoryCertificateQuarantine;
import org.eclipse.milo.opcua.stack.core.security.MemoryTrustListManager;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateBuilder;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mapper's OPC UA application instance certificate (used on secured channels when a device
 * names no certificate of its own) and the servers it trusts.
 */
public final class ClientIdentity {
  private static final Logger LOG = LoggerFactory.getLogger(ClientIdentity.class);
  public static final String APPLICATION_URI = "urn:kedge:mapper:opcua";

  private final X509Certificate certificate;
  private final KeyPair keyPair;
  private final CertificateValidator serverValidator;
  private final boolean trustsAnyServer;

  private ClientIdentity(
      X509Certificate certificate,
      KeyPair keyPair,
      CertificateValidator serverValidator,
      boolean trustsAnyServer) {
    this.certificate = certificate;
    this.keyPair = keyPair;
    this.serverValidator = serverValidator;
    this.trustsAnyServer = trustsAnyServer;
  }

  /**
   * Loads the identity kept in {@code pkiDir} (client.pem, client-key.pem), creating it on first
   * use; an empty {@code pkiDir} keeps a fresh identity in memory. {@code trustedServers} is a PEM
   * file of server certificates or CAs; empty trusts any server (logged).
   */
  public static ClientIdentity load(String pkiDir, String trustedServers) {
    KeyPair keyPair;
    X509Certificate certificate;
    if (!pkiDir.isEmpty() && Files.exists(Path.of(pkiDir, "client.pem"))) {
      Path dir = Path.of(pkiDir);
      certificate = TlsMaterial.readCertificates(dir.resolve("client.pem")).get(0);
      PrivateKey key = TlsMaterial.readPrivateKey(dir.resolve("client-key.pem"));
      keyPair = new KeyPair(certificate.getPublicKey(), key);
    } else {
      keyPair = rsaKeyPair();
      certificate = selfSigned(keyPair);
      if (!pkiDir.isEmpty()) {
        write(Path.of(pkiDir), certificate, keyPair);
      }
    }
    CertificateValidator validator;
    boolean any = trustedServers.isEmpty();
    if (any) {
      validator = new CertificateValidator.InsecureCertificateValidator();
    } else {
      MemoryTrustListManager trust = new MemoryTrustListManager();
      List<X509Certificate> trusted = TlsMaterial.readCertificates(Path.of(trustedServers));
      trust.setTrustedCertificates(trusted);
      validator = new DefaultClientCertificateValidator(trust, new MemoryCertificateQuarantine());
    }
    return new ClientIdentity(certificate, keyPair, validator, any);
  }

  /**
   * The endpoint's own certificate and key (its devices' certificateFile), with the mapper's server
   * trust.
   */
  public ClientIdentity forEndpoint(DeviceSpec.Endpoint endpoint) {
    if (endpoint.certificateFile().isEmpty()) {
      return this;
    }
    X509Certificate own = TlsMaterial.readCertificates(Path.of(endpoint.certificateFile())).get(0);
    PrivateKey key = TlsMaterial.readPrivateKey(Path.of(endpoint.privateKeyFile()));
    return new ClientIdentity(
        own, new KeyPair(own.getPublicKey(), key), serverValidator, trustsAnyServer);
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public KeyPair keyPair() {
    return keyPair;
  }

  public CertificateValidator serverValidator() {
    return serverValidator;
  }

  public boolean trustsAnyServer() {
    return trustsAnyServer;
  }

  static KeyPair rsaKeyPair() {
    try {
      return SelfSignedCertificateGenerator.generateRsaKeyPair(2048);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A self-signed RSA-SHA256 certificate for {@code applicationUri}, valid for localhost. */
  static X509Certificate selfSigned(KeyPair keyPair, String commonName, String applicationUri) {
    try {
      return new SelfSignedCertificateBuilder(keyPair)
          .setCommonName(commonName)
          .setOrganization("kedge")
          .setApplicationUri(applicationUri)
          .addDnsName("localhost")
          .addIpAddress("127.0.0.1")
          .build();
    } catch (Exception e) {
      throw new IllegalStateException("cannot create a certificate: " + e, e);
    }
  }

  private static X509Certificate selfSigned(KeyPair keyPair) {
    return selfSigned(keyPair, "kedge OPC UA mapper", APPLICATION_URI);
  }

  private static void write(Path dir, X509Certificate certificate, KeyPair keyPair) {
    try {
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve("client.pem"),
          TlsMaterial.toPem("CERTIFICATE", certificate.getEncoded()),
          StandardCharsets.US_ASCII);
      Files.writeString(
          dir.resolve("client-key.pem"),
          TlsMaterial.toPem("PRIVATE KEY", keyPair.getPrivate().getEncoded()),
          StandardCharsets.US_ASCII);
      LOG.info(
          "created the mapper's OPC UA certificate {}; let the servers trust it",
          dir.resolve("client.pem"));
    } catch (IOException e) {
      throw new UncheckedIOException("mapper.pki-dir " + dir + " cannot be written: " + e, e);
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }
}
