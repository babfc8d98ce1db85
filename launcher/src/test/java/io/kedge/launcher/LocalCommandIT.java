package io.kedge.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.kedge.testkit.ChildJvm;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kedge local} as a user runs it: a process that gets ready, serves, and stops on SIGTERM.
 */
class LocalCommandIT {
  @Test
  void reachesReadyCreatesTopicsAndStopsCleanly(@TempDir Path tmp) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<String> args =
        List.of(
            "local",
            "--kafka-port",
            Integer.toString(port),
            "--data-dir",
            tmp.resolve("data").toString(),
            "--nodes",
            "edge-1,edge-2",
            "--api-port",
            "0",
            "--mqtt-port",
            "0",
            "--ingress-port",
            "0",
            "--ops-port",
            "0");
    try (ChildJvm local =
        ChildJvm.start(
            "kedge-local", Main.class, ChildJvm.chronicleFlags(), args, tmp.resolve("local.log"))) {
      local.awaitOutput(
          Pattern.compile(Pattern.quote(LocalCommand.READY_LINE)), Duration.ofSeconds(120));

      try (Admin admin =
          Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port))) {
        Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        assertThat(topics)
            .contains(
                "kedge.resources",
                "kedge.upstream",
                "kedge.deadletter",
                "kedge.node.edge-1",
                "kedge.node.edge-2");
        // node topics are many and small: index entries every 1 MiB, not the broker's 4 KiB
        ConfigResource node = new ConfigResource(ConfigResource.Type.TOPIC, "kedge.node.edge-1");
        Config config =
            admin.describeConfigs(List.of(node)).all().get(30, TimeUnit.SECONDS).get(node);
        assertThat(config.get("index.interval.bytes").value()).isEqualTo("1048576");
        assertThat(config.get("cleanup.policy").value()).isEqualTo("delete");
        ConfigResource resources = new ConfigResource(ConfigResource.Type.TOPIC, "kedge.resources");
        assertThat(
                admin
                    .describeConfigs(List.of(resources))
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .get(resources)
                    .get("index.interval.bytes")
                    .value())
            .isEqualTo("4096");
      }
      assertThat(local.readOutput()).contains("kafka      127.0.0.1:" + port);

      // metrics and health of the whole process
      java.util.regex.Matcher ops =
          Pattern.compile("metrics    (http://\\S+)/metrics").matcher(local.readOutput());
      assertThat(ops.find()).as("the metrics endpoint is printed").isTrue();
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      var metrics = get(http, ops.group(1) + "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body())
          .contains("kedge_link_state{node=\"edge-1\",state=\"CONNECTED\"} 1.0")
          .contains("kedge_link_disconnects_total{node=\"edge-1\"}")
          .contains("kedge_view_objects{node=\"edge-2\"}")
          .contains("kedge_router_running 1.0")
          .contains("jvm_memory_used_bytes");
      var ready = get(http, ops.group(1) + "/readyz");
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);

      // kedge nodes reads the fleet kedge local serves on its ops port
      org.awaitility.Awaitility.await("both nodes online in kedge nodes")
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                String table = nodes("--cloud", ops.group(1));
                return table.lines().filter(l -> l.matches("edge-[12] +CONNECTED .*")).count() == 2;
              });
      assertThat(nodes("edge-1", "-o", "yaml", "--cloud", ops.group(1)))
          .contains("node: \"edge-1\"")
          .contains("link: \"CONNECTED\"");

      // the playground: a client of a node's edge API may write anything, through the cloud
      java.util.regex.Matcher api =
          Pattern.compile("edge-1  edge API (http://\\S+)").matcher(local.readOutput());
      assertThat(api.find()).isTrue();
      var created =
          post(
              http,
              api.group(1) + "/api/v1/namespaces/default/configmaps",
              "{\"metadata\":{\"name\":\"settings\"},\"data\":{\"k\":\"v\"}}");
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

      // each node is described from the host, as a kubelet describes its node
      var node =
          io.kedge.schemas.EventCodec.json()
              .readTree(get(http, api.group(1) + "/api/v1/nodes/edge-1").body());
      assertThat(node.at("/status/capacity/cpu").asInt())
          .isEqualTo(Runtime.getRuntime().availableProcessors());
      assertThat(node.at("/status/allocatable/memory").asText()).matches("[1-9][0-9]*Ki");
      assertThat(node.at("/status/nodeInfo/operatingSystem").asText()).isEqualTo("linux");
      assertThat(node.at("/status/nodeInfo/kernelVersion").asText())
          .isEqualTo(System.getProperty("os.version"));
      assertThat(node.at("/metadata/labels").toString())
          .contains(
              "\"kubernetes.io/arch\":\"" + node.at("/status/nodeInfo/architecture").asText());
      java.util.Optional<Path> kubectl = io.kedge.testkit.Kubectl.find();
      if (kubectl.isPresent()) {
        io.kedge.testkit.Kubectl.Result describe =
            io.kedge.testkit.Kubectl.at(kubectl.get(), api.group(1))
                .run("describe", "node", "edge-1");
        assertThat(describe.exitCode()).as(describe.stderr()).isZero();
        // requests as a share of what the node has, not of a missing capacity
        assertThat(describe.stdout())
            .containsPattern("Kernel Version: +" + Pattern.quote(System.getProperty("os.version")))
            .doesNotContain("-9223372036854775808%")
            .containsPattern("cpu +0 \\(0%\\)");

        // kube-apiserver's system namespaces, selectable by their name label, and kept
        io.kedge.testkit.Kubectl cli = io.kedge.testkit.Kubectl.at(kubectl.get(), api.group(1));
        org.awaitility.Awaitility.await("the system namespaces on edge-1")
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    cli.run(
                            "get",
                            "ns",
                            "-l",
                            "kubernetes.io/metadata.name=kube-system",
                            "-o",
                            "name")
                        .stdout()
                        .strip()
                        .equals("namespace/kube-system"));
        assertThat(cli.run("get", "ns", "-o", "name").stdout().lines())
            .contains(
                "namespace/default",
                "namespace/kube-node-lease",
                "namespace/kube-public",
                "namespace/kube-system");
        io.kedge.testkit.Kubectl.Result deleteDefault = cli.run("delete", "ns", "default");
        assertThat(deleteDefault.exitCode()).isNotZero();
        assertThat(deleteDefault.stderr())
            .contains(
                "Error from server (Forbidden): namespaces \"default\" is forbidden: this"
                    + " namespace may not be deleted");
      } else {
        System.out.println("SKIPPED describe node: no kubectl (.ci/fetch-kubectl fetches one)");
      }

      int exit = local.stop(Duration.ofSeconds(60));
      assertThat(exit)
          .as("0, or 143: the JVM's status after SIGTERM once its shutdown hooks finished")
          .isIn(0, 143);
      assertThat(local.readOutput()).contains("kedge local stopped");
    }
  }

  private static java.net.http.HttpResponse<String> get(java.net.http.HttpClient http, String url)
      throws Exception {
    return http.send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  private static java.net.http.HttpResponse<String> post(
      java.net.http.HttpClient http, String url, String json) throws Exception {
    return http.send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
            .header("Content-Type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json))
            .build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  /** {@code kedge nodes ARGS}, run in this JVM; its output. */
  private static String nodes(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    picocli.CommandLine cli = KedgeCommand.commandLine();
    cli.setOut(new java.io.PrintWriter(out));
    String[] all = new String[args.length + 1];
    all[0] = "nodes";
    System.arraycopy(args, 0, all, 1, args.length);
    assertThat(cli.execute(all)).as(out.toString()).isZero();
    return out.toString();
  }

  /**
   * {@code kedge local --secure}: Kafka refuses clients without a login, the cloud's printed login
   * works, every node joined with its own user and key (nothing refused upstream), and a node's
   * edge API refuses what is not the node's to write.
   */
  @Test
  void secureRunsWithLoginsKeysAndNodeAuthorization(@TempDir Path tmp) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<String> args =
        List.of(
            "local",
            "--secure",
            "--kafka-port",
            Integer.toString(port),
            "--data-dir",
            tmp.resolve("data").toString(),
            "--nodes",
            "edge-1",
            "--api-port",
            "0",
            "--mqtt-port",
            "0",
            "--ingress-port",
            "0",
            "--ops-port",
            "0");
    try (ChildJvm local =
        ChildJvm.start(
            "kedge-local-secure",
            Main.class,
            ChildJvm.chronicleFlags(),
            args,
            tmp.resolve("local.log"))) {
      local.awaitOutput(
          Pattern.compile(Pattern.quote(LocalCommand.READY_LINE)), Duration.ofSeconds(120));
      String output = local.readOutput();
      Path secure = tmp.resolve("data").resolve("secure");
      assertThat(output)
          .contains("security   Kafka SASL + ACLs")
          .contains("join       edge-1  " + secure.resolve("edge-1.join.yaml"));

      java.util.Properties login = new java.util.Properties();
      try (var in = java.nio.file.Files.newBufferedReader(secure.resolve("cloud.properties"))) {
        login.load(in);
      }
      Map<String, Object> cloud = new java.util.HashMap<>();
      login.forEach((k, v) -> cloud.put((String) k, v));
      cloud.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
      try (Admin admin = Admin.create(cloud)) {
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
            .contains("kedge.upstream", "kedge.node.edge-1");
        assertThat(
                admin
                    .describeAcls(org.apache.kafka.common.acl.AclBindingFilter.ANY)
                    .values()
                    .get(30, TimeUnit.SECONDS)
                    .stream()
                    .map(b -> b.entry().principal())
                    .distinct()
                    .toList())
            .containsExactly("User:edge-1");
      }
      Map<String, Object> stranger = new java.util.HashMap<>(cloud);
      stranger.put(
          "sasl.jaas.config",
          "org.apache.kafka.common.security.plain.PlainLoginModule required"
              + " username=\"kedge-cloud\" password=\"guess\";");
      try (Admin admin = Admin.create(stranger)) {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
            .hasCauseInstanceOf(org.apache.kafka.common.errors.SaslAuthenticationException.class);
      }

      java.util.regex.Matcher api =
          Pattern.compile("edge-1  edge API (http://\\S+)").matcher(output);
      assertThat(api.find()).as("the edge API is printed").isTrue();
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      var secret =
          post(
              http,
              api.group(1) + "/api/v1/namespaces/default/secrets",
              "{\"metadata\":{\"name\":\"db\"}}");
      assertThat(secret.statusCode()).as(secret.body()).isEqualTo(403);

      java.util.regex.Matcher ops =
          Pattern.compile("metrics    (http://\\S+)/metrics").matcher(output);
      assertThat(ops.find()).isTrue();
      String metrics = get(http, ops.group(1) + "/metrics").body();
      assertThat(metrics)
          .contains("kedge_link_state{node=\"edge-1\",state=\"CONNECTED\"} 1.0")
          .contains("kedge_upstream_rejected_total{reason=\"unsigned\"} 0.0")
          .contains("kedge_upstream_rejected_total{reason=\"forbidden\"} 0.0");
      assertThat(local.stop(Duration.ofSeconds(60))).isIn(0, 143);
    }
  }
}
