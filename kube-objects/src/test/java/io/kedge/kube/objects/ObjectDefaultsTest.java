package io.kedge.kube.objects;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.ObjectKey;
import org.junit.jupiter.api.Test;

/** The defaults of the kinds kube-proxy reads, and which kinds get which defaults. */
class ObjectDefaultsTest {
  private static ObjectNode json(String singleQuoted) {
    return TestJson.object(singleQuoted);
  }

  @Test
  void aServiceGetsItsTypeAffinityPolicyAndPortDefaults() {
    ObjectNode service =
        json(
            "{'spec':{'clusterIP':'10.96.0.10','ports':[{'port':80},{'port':53,'protocol':'UDP',"
                + "'targetPort':'dns'}]}}");
    ObjectDefaults.fill(ObjectKey.parse("/v1/Service/default/web"), service);
    assertThat(service.at("/spec/type").asText()).isEqualTo("ClusterIP");
    assertThat(service.at("/spec/sessionAffinity").asText()).isEqualTo("None");
    assertThat(service.at("/spec/internalTrafficPolicy").asText()).isEqualTo("Cluster");
    assertThat(service.has("externalTrafficPolicy")).isFalse();
    assertThat(service.at("/spec/ports/0/protocol").asText()).isEqualTo("TCP");
    assertThat(service.at("/spec/ports/0/targetPort").asInt()).isEqualTo(80);
    assertThat(service.at("/spec/ports/1/protocol").asText()).isEqualTo("UDP");
    assertThat(service.at("/spec/ports/1/targetPort").asText()).isEqualTo("dns");

    ObjectNode balanced =
        json(
            "{'spec':{'type':'LoadBalancer','sessionAffinity':'ClientIP','ports':[{'port':443}]}}");
    ObjectDefaults.fill(ObjectKey.parse("/v1/Service/default/front"), balanced);
    assertThat(balanced.at("/spec/externalTrafficPolicy").asText()).isEqualTo("Cluster");
    assertThat(balanced.at("/spec/allocateLoadBalancerNodePorts").asBoolean()).isTrue();
    assertThat(balanced.at("/spec/sessionAffinityConfig/clientIP/timeoutSeconds").asInt())
        .isEqualTo(10800);
  }

  @Test
  void endpointPortsGetTheirProtocol() {
    ObjectNode slice =
        json(
            "{'addressType':'IPv4','endpoints':[{'addresses':['10.0.0.5']}],'ports':[{'port':8080}]}");
    ObjectDefaults.fill(ObjectKey.parse("discovery.k8s.io/v1/EndpointSlice/default/web-1"), slice);
    assertThat(slice.at("/ports/0/protocol").asText()).isEqualTo("TCP");
    assertThat(slice.at("/ports/0/name").isTextual()).isTrue();

    ObjectNode endpoints = json("{'subsets':[{'ports':[{'port':8080}]}]}");
    ObjectDefaults.fill(ObjectKey.parse("/v1/Endpoints/default/web"), endpoints);
    assertThat(endpoints.at("/subsets/0/ports/0/protocol").asText()).isEqualTo("TCP");
  }

  @Test
  void eachKindGetsItsOwnDefaultsOnly() {
    ObjectNode secret = json("{'stringData':{'k':'v'}}");
    ObjectDefaults.fill(ObjectKey.parse("/v1/Secret/default/s"), secret);
    assertThat(secret.at("/data/k").asText()).isEqualTo("dg==");
    assertThat(secret.at("/type").asText()).isEqualTo("Opaque");

    ObjectNode namespace = json("{'metadata':{'name':'shop'}}");
    ObjectDefaults.fill(ObjectKey.parse("/v1/Namespace//shop"), namespace);
    assertThat(namespace.at("/status/phase").asText()).isEqualTo("Active");

    ObjectNode claim = json("{'spec':{}}");
    ObjectDefaults.fill(ObjectKey.parse("/v1/PersistentVolumeClaim/default/data"), claim);
    assertThat(claim.at("/spec/volumeMode").asText()).isEqualTo("Filesystem");

    ObjectNode custom = json("{'spec':{'ports':[{'port':1}]},'stringData':{'k':'v'}}");
    ObjectNode before = custom.deepCopy();
    ObjectDefaults.fill(ObjectKey.parse("example.io/v1/Service/default/x"), custom);
    assertThat(custom).as("a CRD's kind named like a core kind").isEqualTo(before);
  }
}
