package io.kedge.kube.objects;

import static io.kedge.kube.objects.TestJson.object;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Lists merge as Kubernetes tags them, beyond the cases of Kubernetes' own table: what a kubelet's
 * status patches and a node's spec carry.
 */
class StrategicMergePatchTest {
  @Test
  void aKubeletsPodStatusPatchAddingAnAddressKeepsTheOthers() {
    // client-go's two-way patch when a dual-stack pod gains an address: the new one and the order
    var pod = object("{'status':{'podIPs':[{'ip':'10.0.0.1'},{'ip':'fd00::1'}]}}");
    var patch =
        object(
            "{'status':{'$setElementOrder/podIPs':[{'ip':'10.0.0.1'},{'ip':'fd00::1'},"
                + "{'ip':'10.0.0.3'}],'podIPs':[{'ip':'10.0.0.3'}]}}");
    assertThat(StrategicMergePatch.apply(pod, patch).at("/status/podIPs").toString())
        .isEqualTo("[{\"ip\":\"10.0.0.1\"},{\"ip\":\"fd00::1\"},{\"ip\":\"10.0.0.3\"}]");
  }

  @Test
  void aNodesPodCidrsMergeAsASet() {
    var node = object("{'spec':{'podCIDRs':['10.0.0.0/24']}}");
    var patch =
        object(
            "{'spec':{'$setElementOrder/podCIDRs':['10.0.0.0/24','fd00::/64'],"
                + "'podCIDRs':['fd00::/64']}}");
    assertThat(StrategicMergePatch.apply(node, patch).at("/spec/podCIDRs").toString())
        .isEqualTo("[\"10.0.0.0/24\",\"fd00::/64\"]");
  }

  @Test
  void readinessGatesAreReplacedWhole() {
    // atomic in Kubernetes: no merge key, the patch's list is the new list
    var pod = object("{'spec':{'readinessGates':[{'conditionType':'a'},{'conditionType':'b'}]}}");
    var patch = object("{'spec':{'readinessGates':[{'conditionType':'c'}]}}");
    assertThat(StrategicMergePatch.apply(pod, patch).at("/spec/readinessGates").toString())
        .isEqualTo("[{\"conditionType\":\"c\"}]");
  }
}
