package io.kedge.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kedge.cloud.admission.OfflineMigrationReview;
import io.kedge.cloud.admission.WebhookServer;
import io.kedge.cloud.kube.KubernetesConfig;
import io.kedge.cloud.kube.KubernetesSource;
import io.kedge.cloud.manifest.ManifestDirectory;
import io.kedge.edge.relay.EdgeNode;
import io.kedge.kube.objects.OfflineAutonomy;
import io.kedge.kube.objects.RuleManifests;
import io.kedge.mapper.opcua.DeviceSource;
import io.kedge.mapper.opcua.MapperConfig;
import io.kedge.mapper.opcua.OpcUaMapper;
import io.kedge.runtime.tls.TlsMaterial;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/metrics.md is generated from what a running kedge exports, so it cannot drift from the code;
 * and every {@code kedge_*} name the sources build a meter from appears in it, so a meter only made
 * on first use is not missed. Regenerate with {@code ./mvnw -pl launcher verify
 * -Dit.test=MetricsReferenceIT -Dkedge.docs.update=true}.
 */
class MetricsReferenceIT {
  private static final String NODE = "metrics-1";

  @TempDir Path dir;

  @Test
  void docsListEveryMetricKedgeExports() throws Exception {
    String reference;
    try (LocalStack stack = LocalStack.forBenchmark(List.of(NODE), dir, progress -> {})) {
      stack.awaitConnected(Duration.ofSeconds(90));
      stack.apply(
          List.of(
              RuleManifests.endpoint("default", "rest-in", "rest"),
              RuleManifests.endpoint("default", "mqtt", "eventbus"),
              RuleManifests.rule(
                  "default",
                  "greet",
                  "rest-in",
                  Map.of("path", "/greet"),
                  "mqtt",
                  Map.of("topic", "greetings"))));
      Awaitility.await("the rule routes")
          .atMost(Duration.ofSeconds(60))
          .until(() -> stack.cloud().rules().book().restRoute("default", "/greet").isPresent());
      HttpResponse<String> sent =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:"
                                  + stack.cloud().rules().ingressPort()
                                  + "/"
                                  + NODE
                                  + "/default/greet"))
                      .POST(HttpRequest.BodyPublishers.ofString("hello"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
      EdgeNode edge = stack.edges().get(0);
      Awaitility.await("the node's first heartbeat in the fleet state (its per-node series)")
          .atMost(Duration.ofSeconds(60))
          .until(() -> stack.cloud().fleet().node(NODE).isPresent());
      // what kedge local does not run: the webhook (Kubernetes mode) and a mapper
      try (WebhookServer webhook =
              WebhookServer.start(
                  "127.0.0.1",
                  0,
                  TlsMaterial.selfSigned(dir, List.of("127.0.0.1")),
                  new OfflineMigrationReview(new OfflineAutonomy(false)));
          OpcUaMapper mapper =
              OpcUaMapper.start(
                  new MapperConfig(
                      NODE,
                      "http://127.0.0.1:" + edge.apiPort(),
                      "",
                      "",
                      "",
                      edge.mqttUrl(),
                      dir.resolve("pki").toString(),
                      "",
                      false,
                      Duration.ofSeconds(1),
                      Duration.ofMinutes(1)),
                  new NoDevices())) {
        webhook.bindMetrics(stack.metrics());
        mapper.bindMetrics(stack.metrics());
        // kedge cloud's manifest directory
        try (ManifestDirectory manifests =
            ManifestDirectory.watch(
                Files.createDirectories(dir.resolve("manifests")),
                Map.of("bootstrap.servers", stack.bootstrap()),
                stack.topics(),
                Duration.ofSeconds(5))) {
          manifests.bindMetrics(stack.metrics());
        }
        // Kubernetes mode's informers: their meters, not started (no cluster here)
        try (KubernetesClient client =
            new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder().withMasterUrl("https://127.0.0.1:1").build())
                .build()) {
          new KubernetesSource(
                  client,
                  KubernetesConfig.standalone(),
                  List.of(),
                  Map.of(),
                  stack.topics().resources().name(),
                  "metrics")
              .bindMetrics(stack.metrics());
        }
        reference = MetricsReference.of(stack.metrics().scrape());
      }
    }

    Path doc = ConfigurationReferenceTest.repositoryRoot().resolve("docs/metrics.md");
    if (Boolean.getBoolean("kedge.docs.update")) {
      Files.writeString(doc, reference, StandardCharsets.UTF_8);
    }
    assertThat(Files.readString(doc, StandardCharsets.UTF_8))
        .as(
            "docs/metrics.md is stale: run ./mvnw -pl launcher verify -Dit.test=MetricsReferenceIT"
                + " -Dkedge.docs.update=true")
        .isEqualTo(reference);
    assertThat(namesInSources()).allSatisfy(name -> assertThat(reference).contains(name));
  }

  /**
   * Every {@code kedge_*} meter name the main sources build, whole or as a prefix: the first
   * argument of a meter builder or of {@code HttpBounds.register}, or a literal that is continued.
   */
  private static TreeSet<String> namesInSources() throws Exception {
    Pattern literal =
        Pattern.compile(
            "(?:builder\\(\\s*|register\\(\\s*\\w+,\\s*)\"(kedge_[a-z0-9_]+)\""
                + "|\"(kedge_[a-z0-9_]+_)\"\\s*\\+");
    TreeSet<String> names = new TreeSet<>();
    Path root = ConfigurationReferenceTest.repositoryRoot();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file :
          files
              .filter(f -> f.toString().endsWith(".java"))
              .filter(f -> f.toString().contains("/src/main/"))
              .toList()) {
        Matcher m = literal.matcher(Files.readString(file));
        while (m.find()) {
          names.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
      }
    }
    assertThat(names).as("metric names found in the sources").hasSizeGreaterThan(20);
    return names;
  }

  private static final class NoDevices implements DeviceSource {
    @Override
    public void start(Listener listener) {}

    @Override
    public void close() {}
  }
}
