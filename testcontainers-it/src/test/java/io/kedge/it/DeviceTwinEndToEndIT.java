package io.kedge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.kedge.launcher.LocalConfig;
import io.kedge.launcher.LocalDemo;
import io.kedge.launcher.LocalStack;
import io.kedge.schemas.EventCodec;
import io.kedge.schemas.ResourceUpsert;
import io.kedge.testkit.TestNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Devices end to end, as {@code kedge local --demo} runs them: a Device applied in the cloud
 * reaches edge-1; the OPC UA mapper there reads the demo server; the reported value is in the
 * Device's status on the edge API (fabric8) and, after the uplink, in the cloud's store; a desired
 * value set in the cloud is written to the OPC UA node.
 */
class DeviceTwinEndToEndIT {
  private static final ResourceDefinitionContext DEVICES =
      new ResourceDefinitionContext.Builder()
          .withGroup("devices.kubeedge.io")
          .withVersion("v1alpha2")
          .withKind("Device")
          .withPlural("devices")
          .withNamespaced(true)
          .build();

  @TempDir Path dir;

  @Test
  void reportedValuesGoUpAndDesiredValuesGoDown() throws Exception {
    LocalConfig config =
        new LocalConfig(
            List.of("edge-1"),
            dir,
            0,
            0,
            0,
            0,
            TestNames.unique("kedge"),
            Duration.ofDays(1),
            0,
            true,
            0,
            false);
    try (LocalStack stack = LocalStack.start(config, m -> {})) {
      stack.awaitConnected(Duration.ofSeconds(60));
      try (LocalDemo demo = LocalDemo.start(stack, config, m -> {});
          KubernetesClient client =
              new KubernetesClientBuilder()
                  .withConfig(
                      new ConfigBuilder()
                          .withMasterUrl("http://127.0.0.1:" + stack.edges().get(0).apiPort())
                          .build())
                  .build()) {
        // cloud -> edge -> mapper -> OPC UA -> mapper -> twin bridge -> edge API
        Awaitility.await("press-1's temperature reported on the edge API")
            .atMost(Duration.ofSeconds(90))
            .until(() -> reported(device(client), "temperature").isPresent());
        double temperature = Double.parseDouble(reported(device(client), "temperature").get());
        assertThat(temperature).isBetween(18.0, 24.0);
        assertThat(reported(device(client), "setpoint")).contains("20");
        assertThat(device(client).path("status").path("state").asText()).isEqualTo("online");

        // ... and through the uplink into the cloud's store
        Awaitility.await("the reported value in the cloud")
            .atMost(Duration.ofSeconds(60))
            .until(() -> cloudDevice(stack).flatMap(d -> reported(d, "temperature")).isPresent());

        // a desired value set in the cloud is written to the OPC UA variable
        ObjectNode desired = example(dir.resolve("demo/device.yaml"), "Device");
        for (JsonNode twin : desired.path("status").path("twins")) {
          ((ObjectNode) twin.path("desired")).put("value", "55");
        }
        stack.apply(List.of(desired));
        Awaitility.await("Setpoint written")
            .atMost(Duration.ofSeconds(60))
            .until(() -> Integer.valueOf(55).equals(demo.server().get("Setpoint")));
        Awaitility.await("and reported back")
            .atMost(Duration.ofSeconds(60))
            .until(() -> reported(device(client), "setpoint").filter("55"::equals).isPresent());
      }
    }
  }

  private static JsonNode device(KubernetesClient client) throws Exception {
    GenericKubernetesResource device =
        client.genericKubernetesResources(DEVICES).inNamespace("default").withName("press-1").get();
    return device == null
        ? new ObjectMapper().createObjectNode()
        : new ObjectMapper().readTree(client.getKubernetesSerialization().asJson(device));
  }

  private static Optional<String> reported(JsonNode device, String property) {
    for (JsonNode twin : device.path("status").path("twins")) {
      if (property.equals(twin.path("propertyName").asText())
          && twin.path("reported").has("value")) {
        return Optional.of(twin.path("reported").path("value").asText());
      }
    }
    return Optional.empty();
  }

  /** The latest Device press-1 in kedge.resources, the cloud's store in standalone mode. */
  private static Optional<JsonNode> cloudDevice(LocalStack stack) {
    EventCodec codec = new EventCodec();
    JsonNode latest = null;
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.bootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG,
                TestNames.unique("store"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(stack.topics().resources().name()));
      int empty = 0;
      while (empty < 3) {
        var records = consumer.poll(Duration.ofMillis(500));
        empty = records.isEmpty() ? empty + 1 : 0;
        for (ConsumerRecord<String, byte[]> record : records) {
          if (record.value() != null
              && codec.decode(record.headers(), record.value()).data() instanceof ResourceUpsert up
              && up.key().kind().equals("Device")
              && up.key().name().equals("press-1")) {
            latest = up.object();
          }
        }
      }
    }
    return Optional.ofNullable(latest);
  }

  private static ObjectNode example(Path file, String kind) throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    try (var docs = yaml.readerFor(ObjectNode.class).<ObjectNode>readValues(file.toFile())) {
      while (docs.hasNext()) {
        ObjectNode doc = docs.next();
        if (kind.equals(doc.path("kind").asText())) {
          return doc;
        }
      }
    }
    throw new IllegalArgumentException("no " + kind + " in " + file);
  }
}
