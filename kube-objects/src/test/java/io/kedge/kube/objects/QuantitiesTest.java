package io.kedge.kube.objects;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Canonical forms as Kubernetes' {@code resource.Quantity} writes them (its quantity tests). */
class QuantitiesTest {
  @ParameterizedTest
  @CsvSource({
    "1Gi, 1Gi",
    "1024Mi, 1Gi",
    "1025Mi, 1025Mi",
    "1.5Gi, 1536Mi",
    "0.5Ki, 512",
    "1023, 1023",
    "100Gi, 100Gi",
    "2048, 2048",
    "0.1Gi, 107374182400m",
    "1000M, 1G",
    "1500M, 1500M",
    "1.5G, 1500M",
    "3000, 3k",
    "0.5, 500m",
    "100m, 100m",
    "1000m, 1",
    "1e3, 1e3",
    "1000e3, 1e6",
    "1.5e3, 1500",
    "0, 0",
    "0Gi, 0",
    "-1Gi, -1Gi",
    "-5M, -5M",
    ".001Ki, 1024m",
    ".000001Ki, 1024u",
    ".000000000001Ki, 2n",
    "80e-3, 80e-3",
    "300e6, 300e6",
    "1234567M, 1234567M",
    "1080000000n, 1080m",
    "lots, lots"
  })
  void canonicalFormIsKubernetes(String written, String canonical) {
    assertThat(Quantities.canonical(written)).isEqualTo(canonical);
  }
}
