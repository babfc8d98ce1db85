package io.kedge.kube.objects;

import static org.assertj.core.api.Assertions.assertThat;

import io.kedge.schemas.ObjectKey;
import org.junit.jupiter.api.Test;

/** The names a new object may have, by kind, as kube-apiserver decides them. */
class ObjectNamesTest {
  private static String invalid(String key) {
    return ObjectNames.invalid(ObjectKey.parse(key));
  }

  @Test
  void mostKindsTakeADnsSubdomain() {
    assertThat(invalid("/v1/ConfigMap/default/app.settings-1")).isNull();
    assertThat(invalid("/v1/Node//edge-1.factory.example")).isNull();
    assertThat(invalid("devices.kubeedge.io/v1alpha2/Device/default/press-1")).isNull();
    assertThat(invalid("/v1/ConfigMap/default/Bad_Name"))
        .isEqualTo(
            "metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must"
                + " consist of lower case alphanumeric characters, '-' or '.', and must start and"
                + " end with an alphanumeric character (e.g. 'example.com', regex used for"
                + " validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
    assertThat(invalid("/v1/Pod/default/x..y")).contains("RFC 1123 subdomain");
    assertThat(invalid("/v1/Pod/default/-web")).contains("RFC 1123 subdomain");
    assertThat(invalid("/v1/Pod/default/" + "a".repeat(254)))
        .endsWith("must be no more than 253 characters");
  }

  @Test
  void servicesTakeADns1035LabelAndNamespacesADns1123Label() {
    assertThat(invalid("/v1/Service/default/web")).isNull();
    assertThat(invalid("/v1/Service/default/1web")).contains("a DNS-1035 label");
    assertThat(invalid("/v1/Service/default/web.front")).contains("a DNS-1035 label");
    assertThat(invalid("/v1/Namespace//shop-17")).isNull();
    assertThat(invalid("/v1/Namespace//shop.17")).contains("RFC 1123 label");
    assertThat(invalid("/v1/Namespace//" + "a".repeat(64)))
        .endsWith("must be no more than 63 characters");
  }
}
