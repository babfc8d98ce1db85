package io.kedge.launcher;

import io.kedge.cloud.Cloud;
import io.kedge.cloud.CloudConfig;
import io.kedge.cloud.admission.WebhookConfig;
import io.kedge.cloud.admission.WebhookServer;
import io.kedge.cloud.kube.KubernetesConfig;
import io.kedge.cloud.manifest.ManifestDirectory;
import io.kedge.cloud.rules.RulesConfig;
import io.kedge.runtime.config.Config;
import io.kedge.runtime.config.ConfigProblem;
import io.kedge.runtime.config.ConfigSources;
import io.kedge.runtime.config.InvalidConfigException;
import io.kedge.runtime.lifecycle.Components;
import io.kedge.runtime.ops.OpsConfig;
import io.kedge.runtime.ops.OpsServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kedge cloud}: the cloud part (router, uplink applier, admission webhook, metrics) against
 * an existing Kafka. Runs until SIGTERM.
 */
@Command(
    name = "cloud",
    mixinStandardHelpOptions = true,
    description = "Run the cloud part: route resources to per-node topics and answer resyncs.")
public final class CloudCommand implements Callable<Integer> {
  public static final String READY_LINE = "kedge cloud ready";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--kafka",
      paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers (kafka.bootstrap).")
  String kafka;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "State directory (cloud.data-dir, default .kedge/cloud).")
  Path dataDir;

  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
  Path configFile;

  @Override
  public Integer call() throws InterruptedException {
    Config parsed =
        CloudConfig.DEF.parse(
            ConfigSources.withEnvironment(System.getenv())
                .file(configFile)
                .flag(CloudConfig.KAFKA.name(), kafka, "--kafka")
                .flag(CloudConfig.DATA_DIR.name(), dataDir, "--data-dir"));
    CloudConfig config = CloudConfig.from(parsed);
    KubernetesConfig kube = KubernetesConfig.from(parsed, config.topicPrefix());
    String manifestDir = parsed.get(ManifestDirectory.DIR);
    if (!manifestDir.isEmpty() && kube.kubernetes()) {
      throw new InvalidConfigException(
          List.of(
              new ConfigProblem(
                  ManifestDirectory.DIR.name(),
                  manifestDir,
                  "",
                  "must be empty in kubernetes mode (the cluster is the store)")));
    }
    WebhookConfig webhook = WebhookConfig.from(parsed);
    RulesConfig rules = RulesConfig.from(parsed);
    OpsConfig ops = OpsConfig.from(parsed, CloudConfig.OPS_BIND, CloudConfig.OPS_PORT);
    PrometheusMeterRegistry metrics = OpsServer.registry();
    Components running = new Components();
    PrintWriter out = spec.commandLine().getOut();
    try {
      Cloud cloud = running.add(Cloud.start(config, kube, webhook, rules, metrics));
      if (!manifestDir.isEmpty()) {
        ManifestDirectory directory =
            running.add(
                ManifestDirectory.watch(
                    Path.of(manifestDir),
                    config.kafkaClientConfig(),
                    config.topics(),
                    parsed.get(ManifestDirectory.POLL_INTERVAL)));
        directory.bindMetrics(metrics);
        out.println("  manifests  " + manifestDir + " (watched)");
      }
      OpsEndpoint.start(running, ops, metrics, registry -> {}, cloud::unreadyReason, out)
          .serveJson(NodesCommand.PATH, cloud::fleetJson);
      if (cloud.rules() != null) {
        out.println(
            "  rules      http://"
                + rules.ingressBind()
                + ":"
                + cloud.rules().ingressPort()
                + "/{node}/{namespace}/{path}");
      }
      if (cloud.webhook() != null) {
        out.println(
            "  webhook    https://"
                + webhook.bind()
                + ":"
                + cloud.webhook().port()
                + WebhookServer.PATH);
      }
    } catch (RuntimeException e) {
      running.close();
      throw e;
    }
    StopSignal stop = StopSignal.install(running, out, "kedge cloud stopped");
    stop.readyAndAwait(out, READY_LINE);
    return 0;
  }
}
