package io.kedge.kube.objects;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The defaults a Pod gets on a write, as kube-apiserver gives them and a kubelet needs them. */
class PodDefaultsTest {
  private static ObjectNode json(String singleQuoted) {
    return TestJson.object(singleQuoted);
  }

  @Test
  void aBarePodGetsTheSpecAndContainerDefaults() {
    ObjectNode pod =
        json(
            "{'spec':{'containers':[{'name':'app','image':'nginx','ports':[{'containerPort':80}],"
                + "'env':[{'name':'NODE','valueFrom':{'fieldRef':{'fieldPath':'spec.nodeName'}}}],"
                + "'readinessProbe':{'httpGet':{'port':80}},'resources':{'limits':{'cpu':'1'}}}],"
                + "'initContainers':[{'name':'init','image':'busybox:1.36'}],"
                + "'volumes':[{'name':'cfg','configMap':{'name':'c'}},{'name':'s','secret':"
                + "{'secretName':'s'}},{'name':'scratch'},{'name':'token','projected':{'sources':"
                + "[{'serviceAccountToken':{'path':'token'}}]}}]}}");
    PodDefaults.fill(pod);
    ObjectNode spec = (ObjectNode) pod.get("spec");
    assertThat(spec.path("restartPolicy").asText()).isEqualTo("Always");
    assertThat(spec.path("dnsPolicy").asText()).isEqualTo("ClusterFirst");
    assertThat(spec.path("schedulerName").asText()).isEqualTo("default-scheduler");
    assertThat(spec.path("terminationGracePeriodSeconds").asInt()).isEqualTo(30);
    assertThat(spec.path("enableServiceLinks").isBoolean()).isTrue();
    assertThat(spec.path("enableServiceLinks").asBoolean()).isTrue();
    assertThat(spec.path("securityContext").isObject()).isTrue();

    ObjectNode app = (ObjectNode) spec.at("/containers/0");
    assertThat(app.path("imagePullPolicy").asText()).isEqualTo("Always");
    assertThat(app.path("terminationMessagePath").asText()).isEqualTo("/dev/termination-log");
    assertThat(app.path("terminationMessagePolicy").asText()).isEqualTo("File");
    assertThat(app.at("/ports/0/protocol").asText()).isEqualTo("TCP");
    assertThat(app.at("/env/0/valueFrom/fieldRef/apiVersion").asText()).isEqualTo("v1");
    assertThat(app.at("/readinessProbe/periodSeconds").asInt()).isEqualTo(10);
    assertThat(app.at("/readinessProbe/timeoutSeconds").asInt()).isEqualTo(1);
    assertThat(app.at("/readinessProbe/successThreshold").asInt()).isEqualTo(1);
    assertThat(app.at("/readinessProbe/failureThreshold").asInt()).isEqualTo(3);
    assertThat(app.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/");
    assertThat(app.at("/readinessProbe/httpGet/scheme").asText()).isEqualTo("HTTP");
    assertThat(app.at("/resources/requests/cpu").asText()).isEqualTo("1");
    assertThat(spec.at("/initContainers/0/imagePullPolicy").asText()).isEqualTo("IfNotPresent");

    assertThat(spec.at("/volumes/0/configMap/defaultMode").asInt()).isEqualTo(420);
    assertThat(spec.at("/volumes/1/secret/defaultMode").asInt()).isEqualTo(420);
    assertThat(spec.at("/volumes/2/emptyDir").isObject()).isTrue();
    assertThat(spec.at("/volumes/3/projected/defaultMode").asInt()).isEqualTo(420);
    assertThat(
            spec.at("/volumes/3/projected/sources/0/serviceAccountToken/expirationSeconds").asInt())
        .isEqualTo(3600);
  }

  @Test
  void whatThePodSaysIsKept() {
    ObjectNode pod =
        json(
            "{'spec':{'restartPolicy':'Never','enableServiceLinks':false,"
                + "'terminationGracePeriodSeconds':0,'hostNetwork':true,'containers':[{'name':'app',"
                + "'image':'nginx','imagePullPolicy':'Never','ports':[{'containerPort':8080,"
                + "'protocol':'UDP'}],'resources':{'limits':{'cpu':'1'},'requests':{'cpu':'500m'}}}]}}");
    PodDefaults.fill(pod);
    assertThat(pod.at("/spec/restartPolicy").asText()).isEqualTo("Never");
    assertThat(pod.at("/spec/enableServiceLinks").asBoolean(true)).isFalse();
    assertThat(pod.at("/spec/terminationGracePeriodSeconds").asInt(-1)).isZero();
    assertThat(pod.at("/spec/containers/0/imagePullPolicy").asText()).isEqualTo("Never");
    assertThat(pod.at("/spec/containers/0/ports/0/protocol").asText()).isEqualTo("UDP");
    assertThat(pod.at("/spec/containers/0/ports/0/hostPort").asInt())
        .as("on the host's network a port is the host's")
        .isEqualTo(8080);
    assertThat(pod.at("/spec/containers/0/resources/requests/cpu").asText()).isEqualTo("500m");
    ObjectNode again = pod.deepCopy();
    PodDefaults.fill(again);
    assertThat(again).isEqualTo(pod);
  }

  @Test
  void thePullPolicyFollowsTheTagAsKubernetesReadsIt() {
    assertThat(PodDefaults.pullPolicy("nginx")).isEqualTo("Always");
    assertThat(PodDefaults.pullPolicy("nginx:latest")).isEqualTo("Always");
    assertThat(PodDefaults.pullPolicy("nginx:1.27")).isEqualTo("IfNotPresent");
    assertThat(PodDefaults.pullPolicy("registry.local:5000/shop/app")).isEqualTo("Always");
    assertThat(PodDefaults.pullPolicy("registry.local:5000/shop/app:2")).isEqualTo("IfNotPresent");
    assertThat(PodDefaults.pullPolicy("nginx@sha256:0123abcd")).isEqualTo("IfNotPresent");
    assertThat(PodDefaults.pullPolicy("nginx:latest@sha256:0123abcd")).isEqualTo("Always");
  }
}
