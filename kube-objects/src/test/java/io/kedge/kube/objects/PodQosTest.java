package io.kedge.kube.objects;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.EventCodec;
import org.junit.jupiter.api.Test;

/** Kubernetes' QoS classes (the cases of its qos_test.go) and a new Pod's status. */
class PodQosTest {
  private static ObjectNode pod(String containers) throws Exception {
    return (ObjectNode)
        EventCodec.json().readTree("{\"spec\":{\"containers\":" + containers + "}}");
  }

  private static String container(String requests, String limits) {
    return "{\"name\":\"c\",\"resources\":{\"requests\":{"
        + requests
        + "},\"limits\":{"
        + limits
        + "}}}";
  }

  @Test
  void classesFollowRequestsAndLimits() throws Exception {
    assertThat(PodQos.qosClass(pod("[{\"name\":\"c\"}]"))).isEqualTo("BestEffort");
    assertThat(PodQos.qosClass(pod("[" + container("", "") + "]"))).isEqualTo("BestEffort");
    // other resources, and zero quantities, do not count
    assertThat(
            PodQos.qosClass(
                pod("[" + container("\"ephemeral-storage\":\"1Gi\",\"cpu\":\"0\"", "") + "]")))
        .isEqualTo("BestEffort");
    assertThat(
            PodQos.qosClass(
                pod(
                    "["
                        + container(
                            "\"cpu\":\"500m\",\"memory\":\"1Gi\"",
                            "\"cpu\":\"0.5\",\"memory\":\"1024Mi\"")
                        + "]")))
        .as("equal quantities written differently")
        .isEqualTo("Guaranteed");
    assertThat(PodQos.qosClass(pod("[" + container("", "\"cpu\":\"1\",\"memory\":\"100M\"") + "]")))
        .as("requests default to limits")
        .isEqualTo("Guaranteed");
    assertThat(PodQos.qosClass(pod("[" + container("", "\"cpu\":\"1\"") + "]")))
        .as("a memory limit is missing")
        .isEqualTo("Burstable");
    assertThat(
            PodQos.qosClass(
                pod("[" + container("\"cpu\":\"100m\"", "\"cpu\":\"1\",\"memory\":\"1Gi\"") + "]")))
        .isEqualTo("Burstable");
    assertThat(
            PodQos.qosClass(
                pod(
                    "["
                        + container("", "\"cpu\":\"1\",\"memory\":\"1Gi\"")
                        + ",{\"name\":\"d\"}]")))
        .as("one container without limits")
        .isEqualTo("Burstable");
    ObjectNode podLevel = pod("[{\"name\":\"c\"}]");
    podLevel
        .withObject("spec")
        .set(
            "resources",
            EventCodec.json().readTree("{\"limits\":{\"cpu\":\"2\",\"memory\":\"2Gi\"}}"));
    assertThat(PodQos.qosClass(podLevel)).as("pod-level resources").isEqualTo("Guaranteed");
  }

  @Test
  void aNewPodIsPendingWithItsClassUnlessItsStatusSaysOtherwise() throws Exception {
    ObjectNode fresh = pod("[{\"name\":\"c\"}]");
    PodQos.fillNewPodStatus(fresh);
    assertThat(fresh.at("/status/phase").asText()).isEqualTo("Pending");
    assertThat(fresh.at("/status/qosClass").asText()).isEqualTo("BestEffort");
    ObjectNode mirror = pod("[{\"name\":\"c\"}]");
    mirror.putObject("status").put("phase", "Running");
    PodQos.fillNewPodStatus(mirror);
    assertThat(mirror.at("/status/phase").asText()).isEqualTo("Running");
  }

  @Test
  void quantitiesParseEveryKubernetesSuffix() {
    assertThat(Quantities.parse("1.5Gi")).isEqualByComparingTo("1610612736");
    assertThat(Quantities.parse("250m")).isEqualByComparingTo("0.25");
    assertThat(Quantities.parse("2k")).isEqualByComparingTo("2000");
    assertThat(Quantities.parse("1e3")).isEqualByComparingTo("1000");
    assertThat(Quantities.parse("12Mi")).isEqualByComparingTo(Quantities.parse("12582912"));
    assertThat(Quantities.parse("")).isNull();
    assertThat(Quantities.parse("lots")).isNull();
  }
}
