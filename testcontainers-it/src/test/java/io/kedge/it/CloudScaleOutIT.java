package io.kedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.cloud.manifest.ManifestPublisher;
import io.kedge.it.env.KafkaSpec;
import io.kedge.it.env.ScenarioEnvironment;
import io.kedge.it.env.ScenarioKafka;
import io.kedge.launcher.CloudCommand;
import io.kedge.launcher.Main;
import io.kedge.schemas.KedgeTopics;
import io.kedge.testkit.ChildJvm;
import io.kedge.testkit.TestNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out and scenario (f): two {@code kedge cloud} processes share one application over the
 * default six partitions of {@code kedge.resources}, both routing (the pods are spread over four
 * namespaces, so several tasks write the node topic at once); the first is killed with {@code kill
 * -9} in the middle of a stream of pods. The other takes its tasks over, and the node topic, read
 * committed, holds every pod exactly once.
 */
class CloudScaleOutIT {
  private static final String NODE = "edge-1";

  @Test
  void killingOneOfTwoCloudInstancesMidStreamLosesAndDoublesNothing(@TempDir Path tmp)
      throws Exception {
    int pods = Integer.getInteger("kedge.it.scaleout.pods", 3_000);
    String prefix = TestNames.unique("scaleout");
    KedgeTopics topics = new KedgeTopics(prefix, 1, Duration.ofDays(1));
    long started = System.nanoTime();
    try (ScenarioKafka kafka =
            ScenarioEnvironment.current().kafka(KafkaSpec.single(), Duration.ofSeconds(60));
        ManifestPublisher publisher =
            new ManifestPublisher(kafka.bootstrapServers(), topics, Duration.ofSeconds(30));
        ChildJvm routing = cloud("a", kafka, prefix, tmp)) {
      // the first instance routes alone; the second takes some partitions over when it joins
      List<ObjectNode> batch = new ArrayList<>(List.of(CloudEnvironment.node(NODE)));
      for (int i = 0; i < 50; i++) {
        batch.add(pod(i));
      }
      CloudEnvironment.publish(publisher, batch);
      batch.clear();
      Awaitility.await("the first instance routes")
          .atMost(Duration.ofSeconds(60))
          .until(() -> podCounts(kafka, topics).size() == 50);
      long killedAt = 0;
      int routedAtKill = 0;
      try (ChildJvm standby = cloud("b", kafka, prefix, tmp)) {
        for (int i = 50; i < pods; i++) {
          batch.add(pod(i));
          if (batch.size() == 50) {
            CloudEnvironment.publish(publisher, batch);
            batch.clear();
          }
          if (i == pods / 3) {
            Awaitility.await("routing under way")
                .atMost(Duration.ofSeconds(60))
                .until(() -> podCounts(kafka, topics).size() > pods / 4);
            routing.kill9();
            killedAt = System.nanoTime();
            routedAtKill = podCounts(kafka, topics).size();
          }
        }
        CloudEnvironment.publish(publisher, batch);
        int atKill = routedAtKill;
        Awaitility.await("the second instance routes what the first left")
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> podCounts(kafka, topics).size() > atKill);
        long takeover = (System.nanoTime() - killedAt) / 1_000_000;
        Map<String, Integer> counts = new TreeMap<>();
        Awaitility.await("every pod in the node topic, routed by the second instance")
            .atMost(Duration.ofMinutes(3))
            .until(
                () -> {
                  counts.clear();
                  counts.putAll(podCounts(kafka, topics));
                  return counts.size() == pods;
                });
        long doubled = counts.values().stream().filter(c -> c > 1).count();
        System.out.printf(
            "scenario-f: events=%d lost=%d duplicated=%d resumed=%dms time=%ds%n",
            pods,
            pods - counts.size(),
            doubled,
            takeover,
            (System.nanoTime() - started) / 1_000_000_000);
        assertThat(doubled).as("pods routed twice").isZero();
        assertThat(standby.isAlive()).isTrue();
      }
    }
  }

  /** Pod {@code i}, in one of four namespaces: placed in up to four partitions. */
  private static ObjectNode pod(int i) {
    ObjectNode pod = CloudEnvironment.pod("p" + i, NODE);
    pod.withObject("metadata").put("namespace", "ns-" + i % 4);
    return pod;
  }

  /** Pod upserts in the node topic, read committed: pod name to how often it was routed. */
  private static Map<String, Integer> podCounts(ScenarioKafka kafka, KedgeTopics topics) {
    Map<String, Integer> counts = new HashMap<>();
    for (String name :
        CloudEnvironment.upsertNames(kafka.bootstrapServers(), topics.node(NODE).name(), "Pod")) {
      counts.merge(name, 1, Integer::sum);
    }
    return counts;
  }

  private static ChildJvm cloud(String name, ScenarioKafka kafka, String prefix, Path tmp)
      throws Exception {
    Path config = tmp.resolve("cloud-" + name + ".yaml");
    Files.writeString(
        config,
        "topics:\n  prefix: "
            + prefix
            + "\nrouter:\n  application-id: "
            + prefix
            + "-router\nwebhook:\n  enabled: false\nrules:\n  ingress-port: 0\nops:\n  port: 0\n");
    ChildJvm jvm =
        ChildJvm.start(
            "cloud " + name,
            Main.class,
            List.of(),
            List.of(
                "cloud",
                "--kafka",
                kafka.bootstrapServers(),
                "--data-dir",
                tmp.resolve("cloud-" + name).toString(),
                "--config",
                config.toString()),
            tmp.resolve("cloud-" + name + ".log"));
    jvm.awaitOutput(
        Pattern.compile(Pattern.quote(CloudCommand.READY_LINE)), Duration.ofSeconds(120));
    return jvm;
  }
}
