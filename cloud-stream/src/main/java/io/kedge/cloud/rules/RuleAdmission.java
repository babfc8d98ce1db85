package io.kedge.cloud.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.ObjectKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Refuses invalid Rules and RuleEndpoints before they are stored, as KubeEdge's admission webhook
 * does, instead of accepting them and leaving them idle: the checks of {@link RuleBook#admit}.
 * {@code kedge apply} uses it on the objects it is about to write (endpoints first, then rules in
 * order, each beside the others), the Kubernetes-mode webhook on each request.
 */
public final class RuleAdmission {
  private RuleAdmission() {}

  /**
   * Why each Rule or RuleEndpoint of {@code objects} would be refused, by {@code
   * namespace/Kind/name}; empty when all would be taken. Other kinds are ignored.
   */
  public static Map<String, List<String>> refusals(RuleBook current, List<ObjectNode> objects) {
    RuleBook trial = new RuleBook();
    current.copyInto(trial);
    Map<String, List<String>> refused = new LinkedHashMap<>();
    List<ObjectNode> rules = new ArrayList<>();
    for (ObjectNode object : objects) {
      ObjectKey key = ObjectKey.of(object);
      if (!key.group().equals("rules.kubeedge.io")) {
        continue;
      }
      if (key.kind().equals("Rule")) {
        rules.add(object);
        continue;
      }
      List<String> problems = trial.admit(object);
      if (problems.isEmpty()) {
        trial.apply(key, object);
      } else {
        refused.put(name(key), problems);
      }
    }
    for (ObjectNode rule : rules) {
      ObjectKey key = ObjectKey.of(rule);
      List<String> problems = trial.admit(rule);
      if (problems.isEmpty()) {
        ObjectNode newest = rule.deepCopy();
        if (newest.path("metadata").path("creationTimestamp").asText("").isEmpty()) {
          newest.withObject("metadata").put("creationTimestamp", "9999-12-31T23:59:59Z");
        }
        trial.apply(key, newest);
      } else {
        refused.put(name(key), problems);
      }
    }
    return refused;
  }

  /**
   * The rules, endpoints and nodes {@code kedge.resources} holds now (standalone mode's store).
   *
   * @throws IllegalStateException when the topic cannot be read to its end within {@code timeout}
   */
  public static RuleBook load(Map<String, Object> kafka, String resourcesTopic, Duration timeout) {
    RuleBook book = new RuleBook();
    Map<String, Object> props = new HashMap<>(kafka);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<String, byte[]> probe =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      if (probe.partitionsFor(resourcesTopic, timeout).isEmpty()) {
        return book; // nothing stored yet
      }
    }
    try (ResourceFollower follower =
        new ResourceFollower(
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer()),
                resourcesTopic,
                new EventCodec(),
                RuleBook::follows,
                book::apply)
            .start()) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!follower.caughtUp()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "cannot read the rules of "
                  + resourcesTopic
                  + " within "
                  + timeout.toSeconds()
                  + " s to check the manifests against them");
        }
        TimeUnit.MILLISECONDS.sleep(20);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the rules", e);
    }
    return book;
  }

  private static String name(ObjectKey key) {
    return key.kind() + " " + key.namespace() + "/" + key.name();
  }
}
