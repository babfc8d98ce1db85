package io.kedge.cloud.admission;

import io.kedge.kube.objects.OfflineAutonomy;
import io.kedge.runtime.config.Config;
import io.kedge.runtime.config.ConfigKey;
import io.kedge.runtime.config.ConfigProblem;
import io.kedge.runtime.config.InvalidConfigException;
import io.kedge.runtime.tls.TlsMaterial;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;

/** Configuration of the offline-autonomy admission webhook ({@code webhook.*}). */
public record WebhookConfig(
    boolean enabled,
    String bind,
    int port,
    String certFile,
    String keyFile,
    List<String> hosts,
    boolean tolerateNotReady) {

  public static final ConfigKey<Boolean> ENABLED =
      ConfigKey.bool(
          "webhook.enabled", true, "Serve the offline-autonomy admission webhook (HTTPS).");
  public static final ConfigKey<String> BIND =
      ConfigKey.string("webhook.bind", "0.0.0.0", "Address the admission webhook binds.");
  public static final ConfigKey<Integer> PORT =
      ConfigKey.port("webhook.port", 8443, true, "HTTPS port of the admission webhook.");
  public static final ConfigKey<String> TLS_CERT =
      ConfigKey.string(
          "webhook.tls-cert",
          "",
          "PEM certificate chain of the webhook; empty: a self-signed development certificate.");
  public static final ConfigKey<String> TLS_KEY =
      ConfigKey.string(
          "webhook.tls-key",
          "",
          "PEM private key matching webhook.tls-cert (PKCS#1, SEC1 or PKCS#8).");
  public static final ConfigKey<List<String>> HOSTS =
      ConfigKey.list(
          "webhook.hosts",
          List.of("localhost", "127.0.0.1"),
          "Names and addresses the self-signed development certificate is made for.");
  public static final ConfigKey<Boolean> NOT_READY =
      ConfigKey.bool(
          "webhook.offline-autonomy.not-ready",
          false,
          "Also replace the node.kubernetes.io/not-ready toleration of labelled pods.");

  /** No webhook: where no Kubernetes API server calls one, as in {@code kedge local}. */
  public static WebhookConfig disabled() {
    return new WebhookConfig(false, "", 0, "", "", List.of(), false);
  }

  public static WebhookConfig from(Config config) {
    String cert = config.get(TLS_CERT);
    String key = config.get(TLS_KEY);
    if (cert.isEmpty() != key.isEmpty()) {
      String missing = cert.isEmpty() ? TLS_CERT.name() : TLS_KEY.name();
      throw new InvalidConfigException(
          List.of(
              new ConfigProblem(
                  missing,
                  null,
                  "",
                  "webhook.tls-cert and webhook.tls-key must be set together, or both left empty"
                      + " for a self-signed development certificate")));
    }
    return new WebhookConfig(
        config.get(ENABLED),
        config.get(BIND),
        config.get(PORT),
        cert,
        key,
        config.get(HOSTS),
        config.get(NOT_READY));
  }

  /** Starts the webhook with the configured TLS identity ({@code dataDir} keeps a dev one). */
  public WebhookServer start(Path dataDir) {
    SSLContext tls =
        certFile.isEmpty()
            ? TlsMaterial.selfSigned(dataDir, hosts)
            : TlsMaterial.fromPem(Path.of(certFile), Path.of(keyFile));
    return WebhookServer.start(
        bind, port, tls, new OfflineMigrationReview(new OfflineAutonomy(tolerateNotReady)));
  }
}
