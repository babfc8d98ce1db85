package io.kedge.kube.objects;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** What an update of a Pod may change in its spec, case by case. */
class PodUpdatesTest {
  private static ObjectNode json(String singleQuoted) {
    return TestJson.object(singleQuoted);
  }

  private static ObjectNode pod() {
    return json(
        "{'metadata':{'name':'web'},'spec':{'nodeName':'edge-1','containers':[{'name':'app',"
            + "'image':'nginx:1','resources':{'requests':{'cpu':'1','memory':'64Mi'}}}],"
            + "'initContainers':[{'name':'init','image':'busybox:1'}],"
            + "'tolerations':[{'key':'a','operator':'Exists','effect':'NoExecute',"
            + "'tolerationSeconds':300}],'terminationGracePeriodSeconds':30}}");
  }

  /** Why the pod changed by {@code change} may not replace {@link #pod()}; null if it may. */
  private static String forbidden(Consumer<ObjectNode> change) {
    return forbidden(pod(), change);
  }

  private static String forbidden(ObjectNode current, Consumer<ObjectNode> change) {
    ObjectNode next = current.deepCopy();
    change.accept((ObjectNode) next.get("spec"));
    return PodUpdates.forbidden(current, next);
  }

  private static ObjectNode container(ObjectNode spec, String list) {
    return (ObjectNode) spec.path(list).get(0);
  }

  @Test
  void imagesMayChange() {
    assertThat(forbidden(s -> container(s, "containers").put("image", "nginx:2"))).isNull();
    assertThat(forbidden(s -> container(s, "initContainers").put("image", "busybox:2"))).isNull();
    assertThat(forbidden(s -> container(s, "containers").put("image", "")))
        .isEqualTo("spec.containers[0].image: Required value");
  }

  @Test
  void otherContainerFieldsMayNot() {
    String env =
        forbidden(s -> container(s, "containers").putArray("env").addObject().put("name", "A"));
    assertThat(env)
        .startsWith(
            "spec: Forbidden: pod updates may not change fields other than "
                + "`spec.containers[*].image`,`spec.initContainers[*].image`,"
                + "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing"
                + " tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if"
                + " it was previously negative)\n")
        .endsWith("changed: spec.containers[0].env");
    assertThat(
            forbidden(
                s ->
                    ((ObjectNode) container(s, "containers").at("/resources/requests"))
                        .put("cpu", "2")))
        .endsWith("changed: spec.containers[0].resources.requests.cpu");
    assertThat(forbidden(s -> s.withArray("containers").addObject().put("name", "b")))
        .isEqualTo("spec.containers: Forbidden: pod updates may not add or remove containers");
    assertThat(forbidden(s -> s.put("nodeName", "edge-2"))).endsWith("changed: spec.nodeName");
    assertThat(forbidden(s -> s.put("restartPolicy", "Never")))
        .endsWith("changed: spec.restartPolicy");
  }

  @Test
  void zeroValuesAndQuantitiesCompareAsKubeApiserverComparesThem() {
    assertThat(forbidden(s -> container(s, "containers").put("stdin", false).put("tty", false)))
        .isNull();
    assertThat(forbidden(s -> s.put("hostname", "").putArray("volumes"))).isNull();
    assertThat(
            forbidden(
                s ->
                    ((ObjectNode) container(s, "containers").at("/resources/requests"))
                        .put("cpu", "1000m")
                        .put("memory", "67108864")))
        .isNull();
  }

  @Test
  void tolerationsMayOnlyBeAddedOrHaveTheirSecondsChanged() {
    assertThat(
            forbidden(
                s ->
                    s.withArray("tolerations")
                        .addObject()
                        .put("key", "b")
                        .put("operator", "Exists")))
        .isNull();
    assertThat(forbidden(s -> ((ObjectNode) s.at("/tolerations/0")).put("tolerationSeconds", 10)))
        .isNull();
    assertThat(forbidden(s -> ((ObjectNode) s.at("/tolerations/0")).put("key", "c")))
        .isEqualTo(
            "spec.tolerations: Forbidden: existing toleration can not be modified except its"
                + " tolerationSeconds");
    assertThat(forbidden(s -> s.putArray("tolerations"))).startsWith("spec.tolerations: Forbidden");
  }

  @Test
  void anActiveDeadlineMaySetOrLoweredButNotRaisedOrRemoved() {
    assertThat(forbidden(s -> s.put("activeDeadlineSeconds", 600))).isNull();
    ObjectNode deadline = pod();
    deadline.withObject("spec").put("activeDeadlineSeconds", 600);
    assertThat(forbidden(deadline, s -> s.put("activeDeadlineSeconds", 60))).isNull();
    assertThat(forbidden(deadline, s -> s.put("activeDeadlineSeconds", 6000)))
        .isEqualTo(
            "spec.activeDeadlineSeconds: Invalid value: 6000: must be less than or equal to"
                + " previous value");
    assertThat(forbidden(deadline, s -> s.remove("activeDeadlineSeconds")))
        .contains("must not update from a positive integer to nil value");
  }

  @Test
  void aGracePeriodMayGoFromNegativeToOneOnly() {
    ObjectNode negative = pod();
    negative.withObject("spec").put("terminationGracePeriodSeconds", -1);
    assertThat(forbidden(negative, s -> s.put("terminationGracePeriodSeconds", 1))).isNull();
    assertThat(forbidden(s -> s.put("terminationGracePeriodSeconds", 10)))
        .endsWith("changed: spec.terminationGracePeriodSeconds");
  }

  @Test
  void schedulingGatesMayOnlyBeRemovedAndAGatedPodMayGainNodeConstraints() {
    ObjectNode gated = pod();
    gated.withObject("spec").remove("nodeName");
    gated.withObject("spec").putArray("schedulingGates").addObject().put("name", "wait");
    assertThat(forbidden(gated, s -> s.putArray("schedulingGates"))).isNull();
    assertThat(forbidden(gated, s -> s.withObject("nodeSelector").put("zone", "a"))).isNull();
    assertThat(
            forbidden(gated, s -> s.withArray("schedulingGates").addObject().put("name", "more")))
        .isEqualTo(
            "spec.schedulingGates: Forbidden: only deletion is allowed, but found new scheduling"
                + " gate 'more'");
    assertThat(forbidden(s -> s.withObject("nodeSelector").put("zone", "a")))
        .endsWith("changed: spec.nodeSelector");
  }
}
